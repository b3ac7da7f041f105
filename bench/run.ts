/** `npm run bench`: every benchmark, each with its baseline measured in the same run. */
import { jsonHazardBenchmarks } from './json-hazards';
import { report } from './measure';
import { networkPullBenchmark } from './network-pull';
import { soapBenchmarks } from './soap';
import { bulkBenchmark, bulkReport } from './soap-bulk';

async function main(): Promise<void> {
  console.log(report('OICP SOAP/XML edge', await soapBenchmarks()));
  console.log();
  console.log(bulkReport(bulkBenchmark()));
  console.log();
  console.log(report('JSON hazard guard: nesting, NUL (before every body is parsed)', await jsonHazardBenchmarks()));
  console.log();
  console.log(await networkPullBenchmark());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/** `npm run bench`: every benchmark, each with its baseline measured in the same run. */
import { jsonDepthBenchmarks } from './json-depth';
import { report } from './measure';
import { networkPullBenchmark } from './network-pull';
import { soapBenchmarks } from './soap';

async function main(): Promise<void> {
  console.log(report('OICP SOAP/XML edge', await soapBenchmarks()));
  console.log();
  console.log(report('JSON nesting guard (before every body is parsed)', await jsonDepthBenchmarks()));
  console.log();
  console.log(await networkPullBenchmark());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

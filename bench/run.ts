/**
 * `npm run bench [-- --quick] [-- --records N]`: every benchmark, each with its floor measured in the
 * same run. The performance targets of issue 21 print as one table (bench/table.ts); the older
 * benchmarks print their own comparisons after it. `--quick` is the CI smoke: small data, few rounds.
 */
import { parseArgs } from 'node:util';
import { jsonHazardBenchmarks } from './json-hazards';
import { mapperBenchmarks } from './mappers';
import { report } from './measure';
import { soapBenchmarks } from './soap';
import { perfStoreBenchmarks } from './store-rows';
import { bulkBenchmark, bulkReport } from './soap-bulk';
import { table, type BenchOptions, type BenchRow } from './table';

function options(): BenchOptions {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, records: { type: 'string' } } });
  const records = values.records === undefined ? undefined : Number(values.records);
  if (records !== undefined && !(Number.isInteger(records) && records > 0)) throw new Error(`--records takes a positive whole number, got ${values.records}`);
  return { quick: values.quick ?? false, ...(records !== undefined && { records }) };
}

/** The row producers of the issue 21 table, in its order: the mappers, then the store, PATCH, CDR delivery and network pull rows. */
const TARGET_ROWS: ((opts: BenchOptions) => Promise<BenchRow[]>)[] = [mapperBenchmarks, perfStoreBenchmarks];

async function main(): Promise<void> {
  const opts = options();
  const rows: BenchRow[] = [];
  for (const produce of TARGET_ROWS) rows.push(...(await produce(opts)));
  console.log(table(`Performance targets (issue 21)${opts.quick ? ', --quick: small data, not the figures of record' : ''}`, rows));
  console.log();
  console.log(report('OICP SOAP/XML edge', await soapBenchmarks()));
  console.log();
  // The smoke keeps the small size; the large one shows the record count does not change the ratios.
  console.log(bulkReport(bulkBenchmark(opts.quick ? [5_000] : [5_000, 50_000])));
  console.log();
  console.log(report('JSON hazard guard: nesting, NUL (before every body is parsed)', await jsonHazardBenchmarks()));
}

main().catch((err: unknown) => {
  console.error(err);
  // Exit now: a failed benchmark may leave sockets and timers that would keep the run (and CI) waiting.
  process.exit(1);
});

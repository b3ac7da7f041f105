/**
 * The store and delivery rows of issue 21's table: EVSE status PATCHes through the bridge, CDRs end
 * to end to a hub 50 ms away on SQLite and PostgreSQL, and the EMP network pull — each against a
 * floor measured in the same run. `quick` keeps all of them under 90 s (a CI smoke); `records` sizes
 * the pull.
 */
import { cdrDeliveryBenchmark } from './cdr-delivery';
import { networkPullBenchmark } from './network-pull';
import { patchLoadBenchmark } from './patch-load';
import type { BenchOptions, BenchRow } from './table';

export async function perfStoreBenchmarks(opts: BenchOptions): Promise<BenchRow[]> {
  return [...(await patchLoadBenchmark(opts)), ...(await cdrDeliveryBenchmark(opts)), ...(await networkPullBenchmark(opts))];
}

/**
 * The EMP side's network pull (issue 8) at Hubject's scale: N EVSE records pulled page by page from
 * the Hubject simulator (in its own process, bounded traffic log) and written to a SQLite store as
 * OCPI Locations. The floor, measured in the same run against the same hub, only reads the pages.
 * Rows: records/s of each and their ratio; the per-record cost at the largest size against the
 * smallest (flat: ~1x); the peak RSS of this process during our pull, and the peak of each quarter of
 * it — one that held the network would climb quarter after quarter, a streamed one levels off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { empNetwork } from '../src/flows/emp/network';
import { staleReporter } from '../src/flows/freshness';
import { NO_RULES } from '../src/mapping/rules';
import { OicpClient } from '../src/oicp/client';
import { OPERATIONS } from '../src/oicp/wire/operations';
import { openStore } from '../src/store';
import { quietLogger } from '../test/support/oicp-network';
import { serverProcess } from './processes';
import type { BenchOptions, BenchRow } from './table';

const PROVIDER = 'DE-DCB';
const MB = 1024 * 1024;

/** Runs `work` while sampling RSS: its duration, the highest RSS seen, and the highest in each quarter of the run. */
async function sampled(work: () => Promise<unknown>): Promise<{ ms: number; peakRss: number; quarters: number[] }> {
  const samples: { at: number; rss: number }[] = [];
  const sample = () => samples.push({ at: performance.now(), rss: process.memoryUsage().rss });
  const started = performance.now();
  sample();
  const timer = setInterval(sample, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const ms = performance.now() - started;
  const quarters = [1, 2, 3, 4].map((q) => Math.max(...samples.filter((s) => s.at - started <= (q * ms) / 4 && s.at - started >= ((q - 1) * ms) / 4).map((s) => s.rss)));
  return { ms, peakRss: Math.max(...samples.map((s) => s.rss)), quarters };
}

interface Pull {
  records: number;
  floorMs: number;
  oursMs: number;
  peakRss: number;
  quarters: number[];
  locations: number;
}

/** One size: the floor's read-only pull, then ours into a fresh SQLite store, against one hub process. */
async function pullOf(records: number): Promise<Pull> {
  // The hub holds the whole network: a million simulated EVSEs need more than Node's default heap there.
  const hub = await serverProcess(join(__dirname, 'hub-network.ts'), [String(records)], /listening (\S+)/, ['--max-old-space-size=6144']);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pull-'));
  try {
    const logger = quietLogger();
    const oicp = new OicpClient({ baseUrl: hub.url, as: 'EMP', partyId: PROVIDER, logger });
    const request = { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'DecimalDegree' as const };
    const size = OPERATIONS.PullEvseData.paged.maxSize;
    let read = 0;
    const floor = await sampled(async () => {
      for await (const _record of oicp.pages('PullEvseData', request, { size })) read++;
    });
    global.gc?.();
    const store = await openStore({ path: join(dir, 'bridge.sqlite'), schema: 'public', poolSize: 1 }, { maxAttempts: 12, baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2, leaseMs: 60_000 });
    const us = { role: 'CPO', countryCode: 'DE', partyId: 'BRG' };
    const network = empNetwork({ store, rules: NO_RULES, oicp, us, providerId: PROVIDER, logger, stale: staleReporter(logger), backend: () => Promise.resolve(undefined), now: () => new Date() });
    let summary = { records: 0, locations: 0 };
    const ours = await sampled(async () => {
      summary = await network.pull(true);
    });
    await store.close();
    oicp.close();
    if (read !== records || summary.records !== records) throw new Error(`pulled ${read} / ${summary.records} records, expected ${records}`);
    return { records, floorMs: floor.ms, oursMs: ours.ms, peakRss: ours.peakRss, quarters: ours.quarters, locations: summary.locations };
  } finally {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (pull: Pull, ms: number) => `${Math.round(pull.records / (ms / 1000)).toLocaleString('en')} records/s`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const count = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);

/** Sizes: `records` (default 100,000), and 1,000,000 as well unless quick (quick: 20,000 only). */
export async function networkPullBenchmark(opts: BenchOptions = { quick: false }): Promise<BenchRow[]> {
  const small = opts.records ?? (opts.quick ? 20_000 : 100_000);
  const sizes = opts.quick ? [small] : [...new Set([small, 1_000_000])];
  const pulls: Pull[] = [];
  for (const records of sizes) pulls.push(await pullOf(records));
  const rows: BenchRow[] = pulls.map((pull) => ({
    path: `EMP network pull into SQLite, ${count(pull.records)} EVSE records (${pull.locations.toLocaleString('en')} locations)`,
    figure: rate(pull, pull.oursMs),
    floor: `${rate(pull, pull.floorMs)} reading the same pages`,
    ratio: pull.oursMs / pull.floorMs,
    target: '<= 1.3x',
    met: pull.oursMs / pull.floorMs <= 1.3,
  }));
  const first = pulls[0]!;
  const last = pulls.at(-1)!;
  if (last !== first) {
    const perRecord = (pull: Pull) => pull.oursMs / pull.records;
    const growth = perRecord(last) / perRecord(first);
    rows.push({
      path: `EMP network pull, time per record at ${count(last.records)} vs ${count(first.records)}`,
      figure: `${(perRecord(last) * 1000).toFixed(0)} us/record`,
      floor: `${(perRecord(first) * 1000).toFixed(0)} us/record at ${count(first.records)}`,
      ratio: growth,
      target: '<= 1.1x (flat)',
      met: growth <= 1.1,
    });
  }
  const peak = Math.max(...pulls.map((p) => p.peakRss));
  rows.push({
    path: `EMP network pull, peak RSS (per quarter of the ${count(last.records)} pull: ${last.quarters.map(mb).join(', ')})`,
    figure: mb(peak),
    floor: '250 MB target',
    ratio: peak / (250 * MB),
    target: '< 250 MB',
    met: peak < 250 * MB,
  });
  return rows;
}

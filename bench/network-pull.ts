/**
 * The EMP side's network pull (issue 8) at Hubject's scale: N EVSE records pulled page by page from
 * the Hubject simulator (in its own process, bounded traffic log) and written to a SQLite store as
 * OCPI Locations. The floor, measured in the same run against the same hub, only reads the pages.
 * Each pull runs in a process of its own (this file, `pull floor|ours`), so the peak RSS is the
 * bridge's doing the pull — its code, its store and the pages it holds — and neither pull pays for
 * the other's garbage or for this process's. Rows: records/s of each and their ratio; the per-record
 * cost at the largest size against the smallest (flat: ~1x); the peak RSS of our pull's process, and
 * the peak of each quarter of the pull — one that held the network would climb quarter after
 * quarter, a streamed one levels off. `BENCH_PULL_NODE_ARGS` (e.g. `--cpu-prof`) goes to our pull's
 * process; `BENCH_VERBOSE=1` prints each pull's CPU time and RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

type Kind = 'floor' | 'ours';

/** What a pull's process reports. */
interface Measured {
  ms: number;
  /** CPU time of the process (user + system, all threads) during the pull. */
  cpuMs: number;
  /** Highest RSS of the process during the pull (the kernel's high-water mark, reset when the pull began). */
  peakRss: number;
  /** RSS when the pull began: code, tsx, the client (and the open store). */
  startRss: number;
  quarters: number[];
  records: number;
  locations: number;
}

/** The kernel's peak RSS of this process (Linux), reset by `resetPeak`; undefined elsewhere. */
function kernelPeak(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: the samples alone give the peak.
  }
}

/**
 * Runs `work` while sampling RSS: its duration and CPU, the highest RSS (the kernel's, which also
 * sees the moments a sample could not: the loop is busy while a page is stored), and the highest
 * sample in each quarter of the run.
 */
async function sampled(work: () => Promise<unknown>): Promise<Omit<Measured, 'records' | 'locations'>> {
  const samples: { at: number; rss: number }[] = [];
  const sample = () => samples.push({ at: performance.now(), rss: process.memoryUsage().rss });
  const startRss = process.memoryUsage().rss;
  resetPeak();
  const cpu = process.cpuUsage();
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
  const used = process.cpuUsage(cpu);
  const quarters = [1, 2, 3, 4].map((q) => Math.max(...samples.filter((s) => s.at - started <= (q * ms) / 4 && s.at - started >= ((q - 1) * ms) / 4).map((s) => s.rss)));
  const peakRss = Math.max(kernelPeak() ?? 0, ...samples.map((s) => s.rss));
  return { ms, cpuMs: (used.user + used.system) / 1000, peakRss, startRss, quarters };
}

/** Child entry: one pull of `records` records from the hub at `url`, read only (floor) or into a SQLite store in `dir` (ours); prints what it measured. */
async function pullHere(kind: Kind, url: string, records: number, dir: string): Promise<void> {
  const logger = quietLogger();
  const oicp = new OicpClient({ baseUrl: url, as: 'EMP', partyId: PROVIDER, logger });
  const request = { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'DecimalDegree' as const };
  let summary = { records: 0, locations: 0 };
  let measured: Omit<Measured, 'records' | 'locations'>;
  if (kind === 'floor') {
    measured = await sampled(async () => {
      for await (const _record of oicp.pages('PullEvseData', request, { size: OPERATIONS.PullEvseData.paged.maxSize })) summary.records++;
    });
  } else {
    const store = await openStore({ path: join(dir, 'bridge.sqlite'), schema: 'public', poolSize: 1 }, { maxAttempts: 12, baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2, leaseMs: 60_000 });
    const us = { role: 'CPO', countryCode: 'DE', partyId: 'BRG' };
    const network = empNetwork({ store, rules: NO_RULES, oicp, us, providerId: PROVIDER, logger, stale: staleReporter(logger), backend: () => Promise.resolve(undefined), now: () => new Date() });
    measured = await sampled(async () => {
      summary = await network.pull(true);
    });
    await store.close();
  }
  oicp.close();
  if (summary.records !== records) throw new Error(`${kind}: pulled ${summary.records} records, expected ${records}`);
  process.stdout.write(JSON.stringify({ ...measured, records: summary.records, locations: summary.locations } satisfies Measured));
}

/** One pull in a process of its own (this file as `pull`), with `nodeArgs`; what it measured. */
async function pullProcess(kind: Kind, url: string, records: number, dir: string, nodeArgs: string[] = []): Promise<Measured> {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(process.execPath, [...nodeArgs, '--import', tsx, __filename, 'pull', kind, url, String(records), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  process.off('exit', orphaned);
  if (code !== 0) throw new Error(`the ${kind} pull of ${records} records exited with ${code}: ${out}`);
  return JSON.parse(out) as Measured;
}

interface Pull {
  records: number;
  floor: Measured;
  ours: Measured;
}

/** One size: the floor's read-only pull, then ours into a fresh SQLite store, each in its own process, against one hub process. */
async function pullOf(records: number): Promise<Pull> {
  // The hub holds the whole network: a million simulated EVSEs need more than Node's default heap there.
  const hub = await serverProcess(join(__dirname, 'hub-network.ts'), [String(records)], /listening (\S+)/, ['--max-old-space-size=6144']);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pull-'));
  try {
    const floor = await pullProcess('floor', hub.url, records, dir);
    const ours = await pullProcess('ours', hub.url, records, dir, process.env.BENCH_PULL_NODE_ARGS?.split(' ').filter(Boolean));
    if (process.env.BENCH_VERBOSE === '1') {
      for (const [name, m] of [['floor', floor], ['ours', ours]] as const) {
        console.error(`network pull ${records}: ${name} ${m.ms.toFixed(0)} ms wall, ${m.cpuMs.toFixed(0)} ms CPU (${((m.cpuMs * 1000) / records).toFixed(1)} us/record), RSS ${mb(m.startRss)} at start, peak ${mb(m.peakRss)}, quarters ${m.quarters.map(mb).join(' ')}`);
      }
    }
    return { records, floor, ours };
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
    path: `EMP network pull into SQLite, ${count(pull.records)} EVSE records (${pull.ours.locations.toLocaleString('en')} locations)`,
    figure: rate(pull, pull.ours.ms),
    floor: `${rate(pull, pull.floor.ms)} reading the same pages`,
    ratio: pull.ours.ms / pull.floor.ms,
    target: '<= 1.3x',
    met: pull.ours.ms / pull.floor.ms <= 1.3,
  }));
  const first = pulls[0]!;
  const last = pulls.at(-1)!;
  if (last !== first) {
    const perRecord = (pull: Pull) => pull.ours.ms / pull.records;
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
  const peak = Math.max(...pulls.map((p) => p.ours.peakRss));
  rows.push({
    path: `EMP network pull, peak RSS of the pulling process (${mb(last.ours.startRss)} at start; per quarter of the ${count(last.records)} pull: ${last.ours.quarters.map(mb).join(', ')})`,
    figure: mb(peak),
    floor: '250 MB target',
    ratio: peak / (250 * MB),
    target: '< 250 MB',
    met: peak < 250 * MB,
  });
  return rows;
}

if (require.main === module && process.argv[2] === 'pull') {
  pullHere(process.argv[3] as Kind, process.argv[4]!, Number(process.argv[5]), process.argv[6]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

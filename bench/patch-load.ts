/**
 * EVSE status PATCHes through the bridge (CPO role, SQLite), each in its own process, against a bare
 * Express 5 app parsing the same JSON in the same run, with the same fixed-rate open-loop generator:
 * the highest rate each sustains, and the 99th percentile at 500 PATCH/s. The backend's network is
 * `LOCATIONS` locations of 4 EVSEs; each PATCH sets a random EVSE's status, stamped now.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Location } from '../src/ocpi/wire/schemas';
import { BACKEND_OWNER, cpoNetwork, inParallel, loadLocation, registeredPeer } from './cpo-network';
import { maxSustained, openLoop, sendOne, type LoadResult, type LoadTarget } from './open-loop';
import { CLI, serverProcess, type ServerProcess } from './processes';
import type { BenchOptions, BenchRow } from './table';

const LOCATIONS = 250;
const EVSES = 4;
const STATUSES = ['AVAILABLE', 'CHARGING', 'BLOCKED', 'OUTOFORDER'];

function patches(url: string, headers: Record<string, string>): LoadTarget {
  const base = new URL(url);
  return {
    url: base,
    headers,
    request: (n) => {
      const location = Math.floor(Math.random() * LOCATIONS);
      const evse = Math.floor(Math.random() * EVSES);
      return {
        method: 'PATCH',
        path: `${base.pathname}/${BACKEND_OWNER.countryCode}/${BACKEND_OWNER.partyId}/L${location}/E${location}-${evse}`,
        body: JSON.stringify({ status: STATUSES[n % STATUSES.length], last_updated: new Date().toISOString() }),
      };
    },
    ok: (status, body) => status === 200 && body.includes('"status_code":1000'),
  };
}

const describe = (r: LoadResult) => `${r.served}/${r.offered} at ${r.rate}/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms${r.failed ? `, ${r.failed} failed` : ''}`;

/** The bridge (`serve`, in a process of its own) with the loaded network, ready for PATCHes. */
interface LoadedBridge {
  bridge: ServerProcess;
  ours: LoadTarget;
  headers: Record<string, string>;
  close(): Promise<void>;
}

async function loadedBridge(cli = CLI): Promise<LoadedBridge> {
  const network = await cpoNetwork();
  const bridge = await serverProcess(cli, ['serve', '--config', network.configFile], /"message":"listening".*?"url":"([^"]+)"/, process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean));
  try {
    const peer = await registeredPeer(network);
    const template = (JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'ocpi-seed', 'locations.json'), 'utf8')) as Location[])[0]!;
    await inParallel(
      Array.from({ length: LOCATIONS }, (_, n) => n),
      8,
      async (n) => {
        const put = await peer.put('locations', BACKEND_OWNER, [`L${n}`], loadLocation(template, n, EVSES));
        if (!put.ok) throw new Error(`location L${n} refused: ${put.failure.message}`);
      },
    );
    const headers = await network.headers();
    return {
      bridge,
      headers,
      ours: patches(peer.endpoint('locations', 'RECEIVER')!, headers),
      close: async () => {
        await bridge.stop();
        await network.close();
      },
    };
  } catch (err) {
    await bridge.stop();
    await network.close();
    throw err;
  }
}

/** Offers `rate` PATCH/s for `seconds` and measures the bridge process's CPU (user + system, all threads) per PATCH answered. */
async function cpuPerPatch(bridge: ServerProcess, target: LoadTarget, rate: number, seconds: number): Promise<{ result: LoadResult; cpuMs: number }> {
  const before = bridge.cpuMs();
  const result = await openLoop(target, rate, seconds);
  return { result, cpuMs: (bridge.cpuMs() - before) / Math.max(1, result.offered - result.missing) };
}

export async function patchLoadBenchmark(opts: BenchOptions): Promise<BenchRow[]> {
  const stepSeconds = opts.quick ? 1.5 : 5;
  const ladder = opts.quick ? [250, 500, 1_000, 2_000, 3_000, 4_000] : [250, 500, 750, 1_000, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 6_000, 8_000];
  const atFiveHundredSeconds = opts.quick ? 3 : 10;
  const loaded = await loadedBridge();
  const floor = await serverProcess(join(__dirname, 'patch-floor.ts'), [], /listening (\S+)/);
  try {
    const { bridge, ours } = loaded;
    const bare = patches(`${floor.url}/ocpi/2.2.1/receiver/locations`, loaded.headers);
    // Warm both (JIT, connections, SQLite cache) and let the bridge's outbox send the network's EVSE data before anything counts.
    await openLoop(ours, 250, 3);
    await openLoop(bare, 250, 3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { result: oursAt500, cpuMs } = await cpuPerPatch(bridge, ours, 500, atFiveHundredSeconds);
    const bareAt500 = await openLoop(bare, 500, atFiveHundredSeconds);
    const oursMax = await maxSustained(ours, ladder, stepSeconds);
    const bareMax = await maxSustained(bare, ladder, stepSeconds);
    if (process.env.BENCH_VERBOSE) {
      console.log(`  bridge CPU per PATCH at 500/s: ${cpuMs.toFixed(2)} ms`);
      for (const r of [oursAt500, ...oursMax.results]) console.log(`  bridge ${describe(r)}`);
      for (const r of [bareAt500, ...bareMax.results]) console.log(`  floor  ${describe(r)}`);
    }
    const ceiling = ladder.at(-1)!;
    return [
      {
        path: `EVSE status PATCH through the bridge (SQLite, CPO), max sustained (${LOCATIONS * EVSES} EVSEs, p99 <= 100 ms)`,
        figure: `${oursMax.rate.toLocaleString('en')} PATCH/s`,
        floor: `${bareMax.rate.toLocaleString('en')}${bareMax.rate === ceiling ? '+' : ''} PATCH/s bare Express 5`,
        ratio: bareMax.rate / Math.max(1, oursMax.rate),
        target: '>= 2,000 PATCH/s',
        met: oursMax.rate >= 2_000,
      },
      {
        path: 'EVSE status PATCH through the bridge (SQLite, CPO), p99 at 500/s',
        figure: `${oursAt500.p99Ms.toFixed(1)} ms${oursAt500.served < oursAt500.offered ? ` (${oursAt500.offered - oursAt500.served} not served)` : ''}`,
        floor: `${bareAt500.p99Ms.toFixed(1)} ms bare Express 5`,
        ratio: oursAt500.p99Ms / bareAt500.p99Ms,
        target: '<= 3x',
        met: oursAt500.served === oursAt500.offered && oursAt500.p99Ms <= 3 * bareAt500.p99Ms,
      },
    ];
  } finally {
    await Promise.all([loaded.close(), floor.stop()]);
  }
}

/**
 * `count` PATCHes, `concurrency` at a time (each sent when one is answered), and the bridge's CPU per
 * PATCH. Unlike a fixed rate, this keeps how many requests the bridge takes together (its batches,
 * its group commits) the same whatever else the machine runs: on a saturated machine a fixed rate
 * falls behind, the bridge's batches grow, and its CPU per PATCH falls with them.
 */
async function closedLoop(bridge: ServerProcess, target: LoadTarget, concurrency: number, count: number): Promise<{ cpuMs: number; mainMs: number; failed: number; wallMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failed = 0;
  const one = (n: number) =>
    new Promise<void>((resolve) =>
      sendOne(target, agent, n, (ok) => {
        if (!ok) failed++;
        resolve();
      }),
    );
  const before = bridge.cpuMs();
  const mainBefore = mainThreadCpuMs(bridge.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  return { cpuMs: (bridge.cpuMs() - before) / count, mainMs: (mainThreadCpuMs(bridge.pid) - mainBefore) / count, failed, wallMs };
}

/**
 * The CPU time (user + system, ms) of a process's main thread alone (Linux; 0 elsewhere): the event
 * loop, where the request path runs, without the thread pool's WAL syncs, whose cost follows the
 * disk and the size of each group commit more than the code.
 */
function mainThreadCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * This tree's bridge and another tree's (`other`, a checkout's root), both loaded, taking `bursts` turns
 * of `count` PATCHes each, `concurrency` at a time, in alternating order: whatever the machine's load
 * does during a round, it does to both. Prints each round's CPU per PATCH of both.
 */
async function against(other: string, concurrency: number, count: number, bursts: number, rounds: number): Promise<void> {
  const ours = await loadedBridge();
  const theirs = await loadedBridge(join(other, 'src', 'cli', 'main.ts'));
  try {
    for (const side of [ours, theirs]) await openLoop(side.ours, 250, 3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let round = 1; round <= rounds; round++) {
      const cpu = [0, 0];
      const main = [0, 0];
      for (let burst = 0; burst < bursts; burst++) {
        for (const at of burst % 2 === 0 ? [0, 1] : [1, 0]) {
          const side = at === 0 ? ours : theirs;
          const measured = await closedLoop(side.bridge, side.ours, concurrency, count);
          cpu[at]! += measured.cpuMs;
          main[at]! += measured.mainMs;
        }
      }
      const ms = (total: number) => `${(total / bursts).toFixed(3)} ms`;
      console.log(`round ${round}: bridge CPU per PATCH (main thread): this tree ${ms(cpu[0]!)} (${ms(main[0]!)}), ${other} ${ms(cpu[1]!)} (${ms(main[1]!)})`);
    }
  } finally {
    await Promise.all([ours.close(), theirs.close()]);
  }
}

/**
 * `npx tsx bench/patch-load.ts [--rate 300] [--seconds 10] [--rounds 3]`: the bridge's CPU per PATCH
 * alone, at a rate it sustains, round after round on one loaded bridge. CPU time, unlike latency,
 * survives a machine shared with other work, so it is the figure to compare a change by.
 * `--closed C [--count N]`: each round N PATCHes (default 3,000), C at a time, instead of a rate: the
 * figure to compare by on a machine too loaded for the bridge to keep up with a rate.
 * `--closed C --count N --against DIR [--bursts B]`: this tree's bridge against the tree at DIR's, B
 * bursts of N PATCHes each per round (default 10), alternating (A/B in one run).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '300' },
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      closed: { type: 'string' },
      count: { type: 'string', default: '3000' },
      against: { type: 'string' },
      bursts: { type: 'string', default: '10' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  if (values.against !== undefined) {
    await against(values.against, Number(values.closed ?? '4'), Number(values.count), Number(values.bursts), Number(values.rounds));
    return;
  }
  const loaded = await loadedBridge();
  try {
    await openLoop(loaded.ours, 250, 3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let round = 1; round <= Number(values.rounds); round++) {
      if (values.closed !== undefined) {
        const { cpuMs, mainMs, failed, wallMs } = await closedLoop(loaded.bridge, loaded.ours, Number(values.closed), Number(values.count));
        console.log(`round ${round}: bridge CPU ${cpuMs.toFixed(3)} ms per PATCH (main thread ${mainMs.toFixed(3)} ms); ${values.count} PATCHes ${values.closed} at a time in ${(wallMs / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`);
        continue;
      }
      const { result, cpuMs } = await cpuPerPatch(loaded.bridge, loaded.ours, rate, seconds);
      console.log(`round ${round}: bridge CPU ${cpuMs.toFixed(3)} ms per PATCH; ${describe(result)}`);
    }
  } finally {
    await loaded.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

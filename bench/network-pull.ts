/**
 * The EMP side's network pull (issue 8) at Hubject's scale: 100,000 EVSE records pulled page by
 * page from the Hubject simulator (in its own process) and written to a SQLite store as OCPI
 * Locations. The baseline, measured in the same run against the same hub, only reads the pages.
 * Printed: records per second of each and the ratio; the peak RSS of this process during each, and
 * its RSS before, and the peak of each quarter of our pull — one that held the network would climb
 * quarter after quarter, a streamed one levels off.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { empNetwork } from '../src/flows/emp/network';
import { NO_RULES } from '../src/mapping/rules';
import { OicpClient } from '../src/oicp/client';
import { OPERATIONS } from '../src/oicp/wire/operations';
import { openStore } from '../src/store';
import { runTs } from '../test/support/child';
import { quietLogger } from '../test/support/oicp-network';
import { staleReporter } from '../src/flows/freshness';
import { inTraceScope, withFindingsTraced } from '../src/observability/trace-context';

const RECORDS = 100_000;
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

export async function networkPullBenchmark(): Promise<string> {
  const hub = runTs(join(__dirname, 'hub-network.ts'), [String(RECORDS)]);
  try {
    const url = (await hub.waitFor(/listening (\S+)/, 120_000))[1]!;
    const logger = quietLogger();
    const oicp = new OicpClient({ baseUrl: url, as: 'EMP', partyId: PROVIDER, logger });
    const request = { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'DecimalDegree' as const };
    const size = OPERATIONS.PullEvseData.paged.maxSize;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let read = 0;
    const baseline = await sampled(async () => {
      for await (const _record of oicp.pages('PullEvseData', request, { size })) read++;
    });
    /** The pull into a fresh store; with `traced`, as the runtime runs it: the exchange trace on, inside the job's scope. */
    const pullInto = async (traced: boolean) => {
      const trace = traced ? { flushMs: 100, batch: 200, maxBuffered: 4_000, onError: (error: unknown) => console.error(error) } : undefined;
      const store = await openStore({ path: join(mkdtempSync(join(tmpdir(), 'bench-pull-')), 'bridge.sqlite'), schema: 'public', poolSize: 1 }, { maxAttempts: 12, baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2, leaseMs: 60_000 }, { trace });
      const us = { role: 'CPO', countryCode: 'DE', partyId: 'BRG' };
      const flowLogger = withFindingsTraced(logger, store.tracer);
      const network = empNetwork({ store, rules: NO_RULES, oicp, us, providerId: PROVIDER, logger: flowLogger, stale: staleReporter(logger), backend: () => Promise.resolve(undefined), now: () => new Date() });
      let summary = { records: 0, locations: 0 };
      const run = await sampled(() => inTraceScope({ correlationId: 'job:bench' }, async () => void (summary = await network.pull(true))));
      const stored = (await store.objects.page('locations', { offset: 0, limit: 1 })).total;
      await store.close();
      if (summary.records !== RECORDS) throw new Error(`pulled ${summary.records} records, expected ${RECORDS}`);
      return { ...run, stored };
    };
    const ours = await pullInto(false);
    global.gc?.();
    const traced = await pullInto(true);
    const stored = ours.stored;
    oicp.close();
    if (read !== RECORDS) throw new Error(`pulled ${read} records, expected ${RECORDS}`);
    const rate = (ms: number) => Math.round(RECORDS / (ms / 1000));
    const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
    return [
      `EMP network pull: ${RECORDS} EVSE records, pages of ${size}, into ${stored} OCPI locations (SQLite)`,
      `${'case'.padEnd(44)} ${'records/s'.padStart(10)} ${'peak RSS'.padStart(10)}`,
      `${'baseline: read the pages only'.padEnd(44)} ${String(rate(baseline.ms)).padStart(10)} ${mb(baseline.peakRss).padStart(10)}`,
      `${'ours: map, merge, index, store, announce'.padEnd(44)} ${String(rate(ours.ms)).padStart(10)} ${mb(ours.peakRss).padStart(10)}`,
      `${'ours with the exchange trace on (job scope)'.padEnd(44)} ${String(rate(traced.ms)).padStart(10)} ${mb(traced.peakRss).padStart(10)}`,
      `ratio (ours / baseline time) ${(ours.ms / baseline.ms).toFixed(2)}, with the trace ${(traced.ms / baseline.ms).toFixed(2)}; RSS before ${mb(before)}`,
      // Bounded memory: the peak is reached early and stays; a pull holding the network would climb quarter after quarter.
      `peak RSS of ours per quarter of the pull: ${ours.quarters.map(mb).join(', ')}`,
    ].join('\n');
  } finally {
    hub.process.kill('SIGTERM');
    await hub.exited;
  }
}

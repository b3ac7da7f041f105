/**
 * The exchange trace in the CPO scene (issue 23): a CDR the backend posts is found by its Hubject
 * SessionID and by its CDR id, with the OCPI request as it came, the OICP CDR the mapper made (and
 * its findings), the call to Hubject with Hubject's answer, and how the delivery was settled.
 */
import type { OcpiPeer } from '../../src/ocpi/peer';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportExchange } from '../../src/admin/trace-export';
import { type CpoScene, postAuthorizedCdr, RULES, startCpoScene } from '../support/cpo-scene';
import { startEmpScene } from '../support/emp-scene';
import { replayExchange } from '../support/replay';

const CARD = 'AABBCCDD';

describe('exchange trace, CPO scene', () => {
  let scene: CpoScene;
  let peer: OcpiPeer;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3');
    peer = await scene.withCard(CARD);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  it('finds a CDR exchange by SessionID and CDR id, from the OCPI request to the delivery', async () => {
    const sessionId = await postAuthorizedCdr(peer, CARD, 'CDR-T1');

    const { traces } = scene.bridge.store;
    let events: Awaited<ReturnType<typeof traces.exchange>> = [];
    // The trace is written after the answers, in batches: look until the delivery is there.
    for (let tries = 0; tries < 200 && !events.some((e) => e.kind === 'delivery'); tries++) {
      const [found] = await traces.search({ ref: sessionId });
      if (found) events = await traces.exchange(found.correlationId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await traces.search({ ref: 'CDR-T1' }))[0]?.correlationId).toBe(events[0]?.correlationId);
    const steps = events.map((e) => `${e.protocol} ${e.direction} ${e.kind} ${e.name} ${e.status ?? ''}`.trim());
    expect(steps).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ocpi in request POST \/ocpi\/2\.2\.1\/cdrs 20[01]$/),
        'bridge internal findings CDR mapped',
        'bridge internal enqueued oicp:ChargeDetailRecord created',
        'oicp out call ChargeDetailRecord 200',
        'bridge internal delivery oicp:ChargeDetailRecord delivered',
      ]),
    );
    expect(events.find((e) => e.kind === 'findings')?.findings?.length).toBeGreaterThan(0);
    expect(steps[0]).toMatch(/^ocpi in request/);
    const call = events.find((e) => e.kind === 'call')!;
    expect(call.request).toMatchObject({ SessionID: sessionId, EvseID: expect.any(String) });
    expect(call.response).toMatchObject({ Result: true, StatusCode: { Code: '000' } });

    // Exported as fixtures, the exchange replays through today's mapper to what was sent.
    const dir = mkdtempSync(join(tmpdir(), 'trace-export-'));
    const written = await exportExchange(scene.bridge.store, events[0]!.correlationId, dir);
    expect(written?.map((path) => path.slice(dir.length + 1))).toEqual(
      expect.arrayContaining(['manifest.json', 'ocpi/cdrs/request-01.json', 'ocpi/cdrs/response-01.json', expect.stringMatching(/^oicp\/ChargeDetailRecord\/request-\d+\.json$/)]),
    );
    expect(JSON.parse(readFileSync(join(dir, 'ocpi/cdrs/request-01.json'), 'utf8'))).toMatchObject({ id: 'CDR-T1', cdr_token: { uid: CARD } });
    const [replay] = replayExchange(dir, RULES);
    expect(replay!.replayed).toEqual(replay!.recorded);
    expect(replay!.recorded.messages).toEqual([expect.objectContaining({ SessionID: sessionId })]);
    expect(await exportExchange(scene.bridge.store, 'no-such-exchange', dir)).toBeUndefined();
  });

  it('counts per flow what the trace sees: messages, translations, findings, deliveries and their latency', async () => {
    const metrics = await (await fetch(`${scene.bridge.url}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"*.+]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(value('bridge_messages_total{protocol="ocpi",direction="in",message="cdrs",outcome="200",tenant="default"}')).toBeGreaterThanOrEqual(1);
    expect(value('bridge_messages_total{protocol="oicp",direction="out",message="ChargeDetailRecord",outcome="200",tenant="default"}')).toBeGreaterThanOrEqual(1);
    expect(value('bridge_messages_total{protocol="oicp",direction="out",message="AuthorizeStart",outcome="200",tenant="default"}')).toBeGreaterThanOrEqual(1);
    expect(value('bridge_translations_total{flow="oicp:ChargeDetailRecord",outcome="created",tenant="default"}')).toBeGreaterThanOrEqual(1);
    expect(value('bridge_findings_total{kind="loss",mapping="CDR mapped",tenant="default"}')).toBeGreaterThanOrEqual(1);
    expect(value('bridge_deliveries_total{flow="oicp:ChargeDetailRecord",outcome="delivered",tenant="default"}')).toBeGreaterThanOrEqual(1);
    expect(value('bridge_delivery_latency_seconds_count{flow="oicp:ChargeDetailRecord",tenant="default"}')).toBeGreaterThanOrEqual(1);
    // Labels stay bounded: no id of a path becomes a label.
    expect(metrics).not.toContain('CDR-T1');
  });
});

describe('exchange trace, EMP scene', () => {
  it("keeps a paged pull's answer as Hubject gave it, and finds the call by an EvseID it carried", async () => {
    const scene = await startEmpScene('rest-2.3');
    try {
      const { traces } = scene.bridge.store;
      await scene.pullAll();
      // The trace writer stores after the answer.
      let found: Awaited<ReturnType<typeof traces.search>> = [];
      for (let i = 0; i < 100 && found.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        found = await traces.search({ ref: 'DE*XYZ*E1*1' });
      }
      const calls = (await Promise.all(found.map((f) => traces.exchange(f.correlationId)))).flat().filter((e) => e.name === 'PullEvseData');
      expect(calls.length).toBeGreaterThan(0);
      // The client hands the page's records to the pull one by one: the answer the trace holds stays whole.
      for (const call of calls) expect((call.response as { content: { EvseID: string }[] }).content.map((r) => r.EvseID)).toContain('DE*XYZ*E1*1');
    } finally {
      await scene.close();
    }
  });
});

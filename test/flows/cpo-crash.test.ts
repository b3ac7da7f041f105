/**
 * CPO side, the crash fault test (issue 7): the bridge runs as its own process; the backend posts
 * CDRs, each answered 1000 only once stored; Hubject is slow, so deliveries are in flight when the
 * bridge is killed with SIGKILL. Started again on the same store, the bridge delivers every CDR:
 * Hubject ends with one per session — none lost, none twice (an attempt that arrived before the kill
 * is answered 009 when repeated, and counts as delivered).
 */
import { openStore } from '../../src/store';
import type { Cdr } from '../../src/ocpi/wire/transaction-schemas';
import type { OcpiPeer } from '../../src/ocpi/peer';
import { corpusJson } from '../support/corpus';
import { startCpoSceneInChild, until, type CpoSceneInChild } from '../support/cpo-scene';

const CARD = 'AABBCCDD';
const CDRS = 6;
const openBridgeStore = (path: string) => openStore({ path, schema: 'public', poolSize: 1 }, { maxAttempts: 12, baseDelayMs: 100, maxDelayMs: 200, jitter: 0, leaseMs: 1_000 });

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO CDRs across a SIGKILL over %s', (protocol) => {
  let scene: CpoSceneInChild;
  afterAll(async () => {
    await scene?.close();
  });

  it('loses and duplicates nothing when the bridge is killed with CDRs in flight', async () => {
    scene = await startCpoSceneInChild(protocol);
    const first = await scene.startBridge();
    const peer: OcpiPeer = await scene.withCard(CARD);
    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    const sessions: string[] = [];
    // Hubject takes a second per answer: the worker is mid-delivery when the process dies.
    scene.hub.setDelay(1_000);
    for (let i = 0; i < CDRS; i++) {
      const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
      if (!answer.ok) throw new Error(answer.failure.message);
      const reference = (answer.value as { authorization_reference: string }).authorization_reference;
      sessions.push(reference);
      const cdr: Cdr = { ...official, id: `CDR-${i}`, country_code: 'NL', party_id: 'SIM', authorization_reference: reference, cdr_token: { ...official.cdr_token, uid: CARD } };
      expect(await peer.postCdr(cdr)).toMatchObject({ ok: true });
    }
    // The first CDR has been answered; the next is on its way.
    await until('a CDR was delivered', () => scene.hub.traffic.some((t) => t.operation === 'ChargeDetailRecord'), 5_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // What the backend was told is stored is there, waiting.
    const store = await openBridgeStore(scene.storePath);
    try {
      expect((await store.objects.list('cdrs')).map((o) => o.id).sort()).toEqual(sessions.map((_, i) => `CDR-${i}`));
    } finally {
      await store.close();
    }
    const accepted = () => [...scene.hub.state.sessions.values()].filter((s) => s.cdr !== undefined).map((s) => s.cdr!.SessionID);
    expect(accepted().length).toBeLessThan(CDRS);

    scene.hub.setDelay(0);
    await scene.startBridge();
    await until('Hubject has every CDR', () => accepted().length === CDRS, 20_000);
    expect(accepted().sort()).toEqual([...sessions].sort());
    // Settled: nothing pending, nothing dead-lettered.
    const after = await openBridgeStore(scene.storePath);
    try {
      for (let i = 0; i < 100 && (await after.outbox.depth()).pending > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await after.outbox.depth()).toEqual({ pending: 0, dead: 0 });
    } finally {
      await after.close();
    }
  }, 60_000);
});

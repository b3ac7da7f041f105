/**
 * Fair delivery between tenants (issue 24, docs/tenants.md "Store, delivery and metrics"): two CPO
 * tenants in one bridge and one store, each with its own OCPI backend and its own Hubject. Tenant a's
 * hub goes down with a's CDRs waiting, and stays down while tenant b's backend posts a hundred CDRs;
 * down twice over: every connection dropped at once, and every request left unanswered until a's
 * client gives up (its CDR timeout is one second, so a always has calls hanging). b's deliveries must take about what they take with a's hub up
 * (measured in the same test, as a ratio), reach b's hub once each, and a's must wait, retrying, neither
 * delivered nor dead nor lost, then arrive once each when a's hub is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../src/runtime';
import type { AuthorizationStart } from '../../src/oicp/wire/transaction-schemas';
import { quietLogger } from '../support/oicp-network';
import { authorizeCard, cpoTenant, deployment, inParallel, postCdr, pushNetwork, startCpoBackend, startDeployment, startHub, tenantOf, until, type CpoBackend, type Hub, type Outage } from '../support/tenants';

const CDR_TOPIC = 'oicp:ChargeDetailRecord';
/** CDRs of tenant b per run; a's waiting while its hub is down. */
const B_CDRS = 100;
const A_CDRS = 40;
/** Connections the backends post with. */
const WIDTH = 8;
/** b with a's hub down may take at most this much longer than b alone: timing on a shared machine is noisy, a stall is not. */
const RATIO = 2;
const SLACK_MS = 1_500;

describe.each<[string, Outage]>([
  ['dropping every connection', 'drop'],
  ['leaving every request unanswered', 'silent'],
])('tenant a\'s Hubject down (%s) while tenant b delivers', (_title, outage) => {
  const logger = quietLogger();
  let dir: string;
  let hubA: Hub;
  let hubB: Hub;
  let backendA: CpoBackend;
  let backendB: CpoBackend;
  let bridge: RunningBridge;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-fairness-'));
    [hubA, hubB] = await Promise.all([startHub(logger), startHub(logger)]);
    // Both backends are NL*SIM with the same location ids: tenants may share them.
    [backendA, backendB] = await Promise.all([startCpoBackend(logger, { operator: 'DE*AAA', locations: 2, seed: 1 }), startCpoBackend(logger, { operator: 'DE*BBB', locations: 2, seed: 2 })]);
    bridge = await startDeployment(
      deployment({ path: join(dir, 'bridge.sqlite') }, [
        await cpoTenant('a', { operatorId: 'DE*AAA', partyId: 'AAA', hubUrl: hubA.url, backend: backendA, oicp: { timeoutsMs: { ChargeDetailRecord: 1_000 } } }),
        await cpoTenant('b', { operatorId: 'DE*BBB', partyId: 'BBB', hubUrl: hubB.url, backend: backendB }),
      ]),
      logger,
    );
    await Promise.all([pushNetwork(backendA.running, tenantOf(bridge, 'a')), pushNetwork(backendB.running, tenantOf(bridge, 'b'))]);
  }, 60_000);

  afterAll(async () => {
    await bridge?.stop();
    await Promise.all([hubA?.close(), hubB?.close(), backendA?.close(), backendB?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** b's backend authorizes and posts `count` CDRs (ids from `first`) at full speed; ms until b's hub has accepted them all. */
  async function runB(first: number, count: number): Promise<number> {
    const peer = await backendB.peer();
    const before = hubB.acceptedCdrs().length;
    const started = performance.now();
    await inParallel(
      Array.from({ length: count }, (_, i) => first + i),
      WIDTH,
      async (n) => {
        const location = backendB.locations[n % backendB.locations.length]!;
        await postCdr(peer, location, `B-${n}`, await authorizeCard(peer, location));
      },
    );
    await until(`b's hub has ${before + count} CDRs`, () => hubB.acceptedCdrs().length >= before + count, 30_000);
    return performance.now() - started;
  }

  /** SessionIDs Hubject issued (AuthorizeStart answers), and those of the CDRs it accepted, in order of arrival. */
  const sessionsOf = (hub: Hub) => ({
    issued: hub.hub.traffic.filter((t) => t.direction === 'in' && t.operation === 'AuthorizeStart').map((t) => (t.response as AuthorizationStart).SessionID!),
    cdrs: hub.acceptedCdrs().map((c) => c.cdr.SessionID),
    cdrCalls: hub.hub.traffic.filter((t) => t.direction === 'in' && t.operation === 'ChargeDetailRecord').length,
  });

  it('delivers b\'s CDRs at b\'s own pace, once each, while a\'s wait retrying; a\'s arrive once each when its hub is back', async () => {
    const a = tenantOf(bridge, 'a');
    const b = tenantOf(bridge, 'b');
    const peerA = await backendA.peer();
    // a's drivers charged while its hub was up: Hubject authorized their sessions.
    const references: string[] = [];
    for (let n = 0; n < A_CDRS; n++) references.push(await authorizeCard(peerA, backendA.locations[n % backendA.locations.length]!));

    // b warms up, then runs alone: the baseline.
    await runB(0, 10);
    const alone = await runB(10, B_CDRS);

    hubA.down(outage);
    await inParallel(references, WIDTH, (reference, n) => postCdr(peerA, backendA.locations[n % backendA.locations.length]!, `A-${n}`, reference));
    const waitingA = () => a.store.outbox.list({ state: 'pending', topic: CDR_TOPIC, limit: 1_000 });
    // a's worker is failing against its hub before b starts: every one of a's CDRs has been tried.
    await until('every CDR of a was tried against its dead hub', async () => (await waitingA()).every((item) => item.attempts > 0));
    const attemptsBefore = (await waitingA()).reduce((sum, item) => sum + item.attempts, 0);

    const withADown = await runB(10 + B_CDRS, B_CDRS);

    // a's hub was down for the whole of b's run, and a keeps retrying against it: a's calls each wait
    // for a's client timeout, so b, when quick, may finish before a's next attempts start.
    expect(hubA.acceptedCdrs()).toHaveLength(0);
    await until('a tried again against its dead hub, every CDR failed at least once', async () => {
      const waiting = await waitingA();
      return waiting.reduce((sum, item) => sum + item.attempts, 0) > attemptsBefore && waiting.every((item) => item.lastError !== null);
    });
    expect(hubA.acceptedCdrs()).toHaveLength(0);

    // b: every CDR exactly once, nothing left behind.
    const bSessions = sessionsOf(hubB);
    expect(bSessions.issued).toHaveLength(10 + 2 * B_CDRS);
    expect([...bSessions.cdrs].sort()).toEqual([...bSessions.issued].sort());
    expect(bSessions.cdrCalls).toBe(10 + 2 * B_CDRS);
    // Each delivery is settled after Hubject's answer, a statement later: nothing of b's stays pending.
    await until("b's outbox has settled every CDR", async () => (await b.store.outbox.depth()).pending === 0);
    expect(await b.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
    expect(hubB.acceptedCdrs().every((c) => c.operator === 'DE*BBB' && c.cdr.EvseID.startsWith('DE*BBB*'))).toBe(true);

    // b's pace did not depend on a's hub.
    expect({ alone: Math.round(alone), withADown: Math.round(withADown), withinBound: withADown <= RATIO * alone + SLACK_MS }).toMatchObject({ withinBound: true });

    // a: every CDR waiting, retrying, with the reason; none delivered, none dead, none lost.
    const waiting = await waitingA();
    expect(waiting).toHaveLength(A_CDRS);
    expect(waiting.filter((item) => item.lastError === null)).toEqual([]);
    expect(await a.store.outbox.list({ state: 'done', topic: CDR_TOPIC })).toEqual([]);
    expect(await a.store.outbox.depth()).toEqual({ pending: A_CDRS, dead: 0 });
    expect((await a.store.objects.list('cdrs')).map((o) => o.id).sort()).toEqual(references.map((_, n) => `A-${n}`).sort());

    hubA.up();
    await until(`a's hub has its ${A_CDRS} CDRs`, () => hubA.acceptedCdrs().length >= A_CDRS, 20_000);
    await until('a\'s outbox is empty', async () => (await a.store.outbox.depth()).pending === 0);
    const aSessions = sessionsOf(hubA);
    expect(aSessions.issued).toHaveLength(A_CDRS);
    expect([...aSessions.cdrs].sort()).toEqual([...aSessions.issued].sort());
    expect(aSessions.cdrCalls).toBe(A_CDRS);
    expect(await a.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
    expect(hubA.acceptedCdrs().every((c) => c.operator === 'DE*AAA' && c.cdr.EvseID.startsWith('DE*AAA*'))).toBe(true);
    // Nothing of a ever reached b's hub, nor of b a's.
    expect(hubB.acceptedCdrs()).toHaveLength(10 + 2 * B_CDRS);
  }, 60_000);
});

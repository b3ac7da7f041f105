/**
 * Recorded exchanges (fixtures/recorded/, written by `trace export` from a real run) replayed through
 * today's mappers: what the bridge would send now is what it sent then, with the same findings. With
 * RECORD_FIXTURES=1 the suite records them again instead: it runs the CPO and EMP scenes and exports
 * each exchange through the admin API, as an operator would.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FixtureManifest } from '../../src/admin/trace-export';
import { isMessageSecret, redact } from '../../src/core/redact';
import { NO_RULES, type MappingRules } from '../../src/mapping/rules';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { Session } from '../../src/ocpi/wire/transaction-schemas';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import { ADMIN_TOKEN, admin } from '../support/admin';
import { corpusJson } from '../support/corpus';
import { RULES, startCpoScene, until, untilDelivered, type CpoScene } from '../support/cpo-scene';
import { CARD as EMP_CARD, startEmpScene, type EmpScene } from '../support/emp-scene';
import { RECORDED, REPLAYED_MODULES, replayCdrThroughFlows, replayExchange, writeFixtures, type Replay } from '../support/replay';

const exchanges = readdirSync(RECORDED);
const replayOf = (name: string, rules: MappingRules = RULES) => replayExchange(join(RECORDED, name), rules);
const byMapper = (replays: Replay[], mapper: string) => replays.find((r) => r.mapper === mapper)!;

/** A recording copied, one of its files changed: as if the bridge had made something else of the message then, or received another. */
function altered(name: string, file: string, change: (content: unknown) => unknown): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'replay-')), name);
  cpSync(join(RECORDED, name), dir, { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify(change(JSON.parse(readFileSync(join(dir, file), 'utf8')))));
  return dir;
}

describe('recorded exchanges replayed', () => {
  it('has a recording for each module the harness replays', () => {
    const replayed = new Set(exchanges.flatMap((name) => replayOf(name).map((r) => r.module)));
    expect(REPLAYED_MODULES.filter((module) => !replayed.has(module))).toEqual([]);
  });

  it.each(exchanges)('%s maps as it was recorded', (name) => {
    const replays = replayOf(name);
    expect(replays.length).toBeGreaterThan(0);
    expect(replays.some((r) => r.recorded.messages.length > 0)).toBe(true);
    for (const replay of replays) expect(replay.replayed).toEqual(replay.recorded);
  });

  it('notices a translation that changed (here: the mapping rules the recording was made with are missing)', () => {
    const [replay] = replayOf('cpo-cdr-2.2.1', NO_RULES);
    expect(replay!.replayed).not.toEqual(replay!.recorded);
  });

  describe('a Location PUT (cpo-locations-2.2.1): EVSE data and EVSE statuses, each against its own mapper', () => {
    let replays: Replay[];
    let data: Replay;
    let statuses: Replay;
    beforeAll(() => {
      replays = replayOf('cpo-locations-2.2.1');
      data = byMapper(replays, 'location mapped to EVSE data');
      statuses = byMapper(replays, 'EVSE status mapped');
    });

    it('holds the location\'s EVSE data, two statuses and the findings of each mapper apart', () => {
      expect(replays.map((r) => r.mapper)).toEqual(['location mapped to EVSE data', 'EVSE status mapped']);
      expect(data.recorded.messages).toEqual([expect.objectContaining({ OperatorID: 'BE*BEC', records: [expect.objectContaining({ EvseID: 'BE*BEC*E041503001' }), expect.objectContaining({ EvseID: 'BE*BEC*E041503002' })], deleted: [] })]);
      expect(statuses.recorded.messages).toEqual([
        { EvseID: 'BE*BEC*E041503001', EvseStatus: 'Available' },
        { EvseID: 'BE*BEC*E041503002', EvseStatus: 'Occupied' },
      ]);
      // BLOCKED sent as Occupied by the rules: the status mapper's finding, not the location mapper's.
      expect(statuses.recorded.findings).toEqual([{ kind: 'default', path: 'status', message: 'BLOCKED sent as Occupied by the mapping rules' }]);
      expect(data.recorded.findings.length).toBeGreaterThan(0);
      expect(data.recorded.findings).not.toContainEqual(statuses.recorded.findings[0]);
    });

    it('notices a changed status rule in the status mapping only', () => {
      const changed = replayOf('cpo-locations-2.2.1', { ...RULES, status: { toOicp: { BLOCKED: 'OutOfService' } } });
      const status = byMapper(changed, 'EVSE status mapped');
      expect(status.replayed.messages).toContainEqual({ EvseID: 'BE*BEC*E041503002', EvseStatus: 'OutOfService' });
      expect(status.replayed).not.toEqual(status.recorded);
      expect(byMapper(changed, 'location mapped to EVSE data').replayed).toEqual(data.recorded);
    });

    it('maps with the clock of the recording: the same location received in July has another UTC offset', () => {
      const time = (data.recorded.messages[0] as { records: { Address: { TimeZone: string } }[] }).records[0]!.Address.TimeZone;
      expect(time).toBe('UTC+01:00');
      const summer = altered('cpo-locations-2.2.1', 'manifest.json', (manifest) => ({
        ...(manifest as FixtureManifest),
        events: (manifest as FixtureManifest).events.map((e) => ({ ...e, at: e.at.replace(/^\d{4}-\d{2}/, '2026-07') })),
      }));
      const inJuly = byMapper(replayExchange(summer, RULES), 'location mapped to EVSE data');
      expect((inJuly.replayed.messages[0] as { records: { Address: { TimeZone: string } }[] }).records[0]!.Address.TimeZone).toBe('UTC+02:00');
      expect(inJuly.replayed).not.toEqual(inJuly.recorded);
      expect(byMapper(replayExchange(summer, RULES), 'EVSE status mapped').replayed).toEqual(statuses.recorded);
    });
  });

  describe('an EVSE status PATCH (cpo-locations-patch-2.2.1)', () => {
    it('replays the status mapping alone, the EvseID being the one the bridge pushed the status for', () => {
      const replays = replayOf('cpo-locations-patch-2.2.1');
      expect(replays).toHaveLength(1);
      expect(replays[0]!.recorded).toEqual({
        messages: [{ EvseID: 'BE*BEC*E041503001', EvseStatus: 'OutOfService' }],
        findings: [{ kind: 'loss', path: 'status', message: 'OICP does not tell broken (OUTOFORDER) from temporarily unavailable (INOPERATIVE)' }],
      });
    });

    it('notices a status the recording says was sent otherwise', () => {
      const enqueued = (JSON.parse(readFileSync(join(RECORDED, 'cpo-locations-patch-2.2.1', 'manifest.json'), 'utf8')) as FixtureManifest).events.find((e) => e.kind === 'enqueued')!.files[0]!;
      const [replay] = replayExchange(altered('cpo-locations-patch-2.2.1', enqueued, (record) => ({ ...(record as object), EvseStatus: 'Unknown' })), RULES);
      expect(replay!.replayed).not.toEqual(replay!.recorded);
    });
  });

  describe('a Session PUT (cpo-sessions-2.2.1)', () => {
    it('replays the Start notification with its findings', () => {
      const [replay, ...more] = replayOf('cpo-sessions-2.2.1');
      expect(more).toEqual([]);
      expect(replay!.recorded.messages).toEqual([expect.objectContaining({ Type: 'Start', CPOPartnerSessionID: 'S-RECORDED', EvseID: 'BE*BEC*E041503001', PartnerProductID: 'AC1' })]);
      expect(replay!.recorded.findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'total_cost' }));
    });

    it('notices a changed product rule (tariff 12 is product AC1 by the rules)', () => {
      const [replay] = replayOf('cpo-sessions-2.2.1', { ...RULES, tariffs: { ...RULES.tariffs, products: {} } });
      expect(replay!.replayed).not.toEqual(replay!.recorded);
    });
  });

  describe('a Token PUT (emp-tokens-2.2.1), mapped when it is sent', () => {
    it('replays the identification Hubject received in PushAuthenticationData, with its findings', () => {
      const [replay, ...more] = replayOf('emp-tokens-2.2.1');
      expect(more).toEqual([]);
      expect(replay!.recorded).toEqual({
        messages: [{ Identification: { RFIDMifareFamilyIdentification: { UID: EMP_CARD } } }],
        findings: [{ kind: 'loss', path: 'visual_number', message: 'RFIDMifareFamilyIdentification carries the UID only' }],
      });
    });

    it('notices another token received than the one recorded', () => {
      const manifest = JSON.parse(readFileSync(join(RECORDED, 'emp-tokens-2.2.1', 'manifest.json'), 'utf8')) as FixtureManifest;
      const [replay] = replayExchange(altered('emp-tokens-2.2.1', manifest.events[0]!.files[0]!, (token) => ({ ...(token as object), uid: '0102030405060708' })), RULES);
      expect(replay!.replayed).not.toEqual(replay!.recorded);
    });
  });
});

describe('what a recording holds', () => {
  it('a message as it was sent: an object repeated in it (a location part shared by its EVSE records) is copied each time, only a cycle is cut', () => {
    const names = [{ lang: 'en', value: 'Gent Zuid' }];
    const message = { records: [{ EvseID: 'BE*BEC*E041503001', ChargingStationNames: names }, { EvseID: 'BE*BEC*E041503002', ChargingStationNames: names }] };
    // As the trace stores messages (src/store/traces.ts).
    expect(redact(message, 0, new WeakSet(), isMessageSecret)).toEqual(message);
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic, 0, new WeakSet(), isMessageSecret)).toEqual({ id: 1, self: '[…]' });
  });
});

describe('a recorded CDR replayed through the flows', () => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3');
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  it('reaches the Hubject simulator as it reached it when recorded (under the SessionID Hubject gives now)', async () => {
    const peer = await scene.withCard('AABBCCDD');
    const { recorded, replayed } = await replayCdrThroughFlows(join(RECORDED, 'cpo-cdr-2.2.1'), {
      authorize: async (uid, location) => {
        const answer = await peer.authorize(uid, 'RFID', location);
        if (!answer.ok) throw new Error(answer.failure.message);
        return (answer.value as { authorization_reference: string }).authorization_reference;
      },
      postCdr: async (cdr) => {
        const posted = await peer.postCdr(cdr);
        if (!posted.ok) throw new Error(posted.failure.message);
      },
      receivedCdr: async (sessionId) => {
        const of = () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').find((c) => c.SessionID === sessionId);
        await until('the hub has the replayed CDR', () => of() !== undefined);
        return of();
      },
    });
    expect(replayed).toEqual(recorded);
  }, 30_000);
});

/**
 * Records the exchange of the request `first` names made `since` (found by an id it carries) once
 * `complete` says its outcome is traced, through the admin API's fixtures, into fixtures/recorded/`name`.
 */
async function record(adminUrl: string, name: string, ref: string, first: string, since: string, complete: (manifest: FixtureManifest) => boolean): Promise<void> {
  let files: { path: string; content: string }[] = [];
  for (const started = Date.now(); files.length === 0 && Date.now() - started < 15_000; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const found = (await admin(adminUrl, 'GET', `/admin/exchanges?ref=${encodeURIComponent(ref)}`)).body as { exchanges: { correlationId: string; startedAt: string }[] };
    // The trace is written in batches: until this request's exchange is there, an earlier one of the same request is not it.
    for (const { correlationId } of found.exchanges.filter((e) => e.startedAt >= since)) {
      const answer = (await admin(adminUrl, 'GET', `/admin/exchanges/${encodeURIComponent(correlationId)}/fixtures`)).body as { files: { path: string; content: string }[] };
      const manifest = JSON.parse(answer.files.find((f) => f.path === 'manifest.json')!.content) as FixtureManifest;
      if (manifest.events[0]?.name !== first) continue;
      if (complete(manifest)) files = answer.files;
      break;
    }
  }
  if (files.length === 0) throw new Error(`no complete exchange of ${first} in the trace`);
  writeFixtures(join(RECORDED, name), files);
  // A recording that does not replay as recorded is no regression test.
  const replays = replayOf(name);
  expect(replays.length).toBeGreaterThan(0);
  for (const replay of replays) expect(replay.replayed).toEqual(replay.recorded);
}

const delivered = (...topics: string[]) => (manifest: FixtureManifest) => topics.every((topic) => manifest.events.some((e) => e.kind === 'delivery' && e.name === topic && e.status === 'delivered'));
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const OWNER = { countryCode: 'NL', partyId: 'SIM' };

(process.env.RECORD_FIXTURES === '1' ? describe : describe.skip)('recording the fixtures (RECORD_FIXTURES=1)', () => {
  describe('in the CPO scene', () => {
    let scene: CpoScene;
    beforeAll(async () => {
      scene = await startCpoScene('rest-2.3', { config: { admin: { port: 0, token: ADMIN_TOKEN } } });
    }, 30_000);
    afterAll(async () => {
      await scene?.close();
    });

    it('records a Location PUT, an EVSE status PATCH and a Session PUT', async () => {
      const peer = await scene.withCard('AABBCCDD');
      await untilDelivered(scene.bridge.store);
      const { platform } = scene.backend.backend;
      // A car parks in front of EVSE 3257: the backend sends its whole location again.
      const seed = platform.own('locations').find((l) => l.id === 'LOC1') as unknown as Location;
      let since = new Date().toISOString();
      const at = now();
      const location: Location = { ...seed, evses: seed.evses!.map((e) => (e.uid === '3257' ? { ...e, status: 'BLOCKED', last_updated: at } : e)), last_updated: at };
      expect(await peer.put('locations', OWNER, ['LOC1'], location)).toMatchObject({ ok: true });
      await record(scene.bridge.adminUrl!, 'cpo-locations-2.2.1', 'LOC1', 'PUT /ocpi/2.2.1/locations/NL/SIM/LOC1', since, delivered('oicp:PushEvseData', 'oicp:PushEvseStatus'));

      // EVSE 3256 breaks down: the backend PATCHes its status only.
      since = new Date().toISOString();
      expect(await peer.patch('locations', OWNER, ['LOC1', '3256'], platform.setEvseStatus('LOC1', '3256', 'OUTOFORDER', now()))).toMatchObject({ ok: true });
      await record(scene.bridge.adminUrl!, 'cpo-locations-patch-2.2.1', 'LOC1', 'PATCH /ocpi/2.2.1/locations/NL/SIM/LOC1/3256', since, delivered('oicp:PushEvseStatus'));

      // A session Hubject authorized, charging under tariff 12.
      since = new Date().toISOString();
      const answer = await peer.authorize('AABBCCDD', 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
      if (!answer.ok) throw new Error(answer.failure.message);
      const official = corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session;
      const session: Session = {
        ...official,
        id: 'S-RECORDED',
        country_code: 'NL',
        party_id: 'SIM',
        status: 'ACTIVE',
        kwh: 0.5,
        charging_periods: [{ start_date_time: official.start_date_time, dimensions: [{ type: 'ENERGY', volume: 0.5 }], tariff_id: '12' }],
        authorization_reference: (answer.value as { authorization_reference: string }).authorization_reference,
        cdr_token: { ...official.cdr_token, uid: 'AABBCCDD' },
        last_updated: now(),
      };
      expect(await peer.put('sessions', OWNER, ['S-RECORDED'], session)).toMatchObject({ ok: true });
      await record(scene.bridge.adminUrl!, 'cpo-sessions-2.2.1', 'S-RECORDED', 'PUT /ocpi/2.2.1/sessions/NL/SIM/S-RECORDED', since, delivered('oicp:ChargingNotification'));
    }, 60_000);
  });

  describe('in the EMP scene, pushing authentication data', () => {
    let scene: EmpScene;
    beforeAll(async () => {
      scene = await startEmpScene('rest-2.3', { pushAuthenticationData: true }, { config: { admin: { port: 0, token: ADMIN_TOKEN } } });
    }, 30_000);
    afterAll(async () => {
      await scene?.close();
    });

    it('records a Token PUT', async () => {
      await scene.delivered();
      // The eMSP pushes its card again, on its own: its exchange holds its delivery alone.
      const token = scene.backend.backend.platform.own('tokens').find((t) => t.uid === EMP_CARD)!;
      const peer = await scene.peer();
      const since = new Date().toISOString();
      expect(await peer.put('tokens', { countryCode: 'DE', partyId: 'DCB' }, [EMP_CARD], { ...token, last_updated: now() })).toMatchObject({ ok: true });
      await record(scene.bridge.adminUrl!, 'emp-tokens-2.2.1', EMP_CARD, `PUT /ocpi/2.2.1/tokens/DE/DCB/${EMP_CARD}`, since, delivered('oicp:PushAuthenticationData'));
    }, 60_000);
  });
});

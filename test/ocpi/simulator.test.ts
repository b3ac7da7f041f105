/**
 * The OCPI backend simulator as a bridge meets it: after the handshake it pushes its seed objects,
 * serves them to pulls, answers commands at once and posts their results later, authorizes its
 * tokens, and records every call. Its seed is the official examples, verbatim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OcpiClient } from '../../src/ocpi/client';
import { commandResultRoutes, type CommandType } from '../../src/ocpi/commands';
import { OcpiPeer } from '../../src/ocpi/peer';
import { RECEIVER_MODULES, receiverRoutes, type ObjectReceiver } from '../../src/ocpi/receiver';
import type { CommandResult, Token } from '../../src/ocpi/wire/transaction-schemas';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { quietLogger } from '../support/oicp-network';
import { startOcpiWorld } from '../support/ocpi-world';

const SEED = join(__dirname, '..', '..', 'fixtures', 'ocpi-seed');
const client = new OcpiClient({ logger: quietLogger(), retryDelayMs: 1 });
const BRIDGE = { role: 'EMSP', countryCode: 'DE', partyId: 'BRG' };

it('seeds itself with official 2.2.1 examples, unchanged', () => {
  const official = (file: string) => corpusJson('2.2.1', file);
  const seed = (file: string) => JSON.parse(readFileSync(join(SEED, file), 'utf8')) as unknown[];
  expect(seed('locations.json')).toEqual(['location_example.json', 'location_example_uc2_destination_charger.json', 'location_example_parking_garage_opening_hours.json'].map(official));
  expect(seed('tariffs.json')).toEqual(['tariff_1_simple_2hour.json', 'tariff_4_complex.json', 'tariff_8_simple_025kwh.json'].map(official));
  expect(seed('tokens.json')).toEqual(['token_example_1_app_user.json', 'token_example_2_full_rfid.json'].map(official));
});

describe.each(['2.2.1', '2.1.1'] as const)('the CPO simulator in OCPI %s', (version: OcpiVersion) => {
  it('pushes its locations and tariffs, serves them to pulls, and answers a command now and its result later', async () => {
    const pushed: { level: string; id: string }[] = [];
    const results: { type: CommandType; id: string; result: CommandResult }[] = [];
    const objects: ObjectReceiver = {
      put: (level, ref) => Promise.resolve(void pushed.push({ level, id: ref.ids[0]! })),
      patch: () => Promise.resolve(false),
      get: () => Promise.resolve(undefined),
    };
    const w = await startOcpiWorld({
      version,
      role: 'CPO',
      bridgeRole: 'EMSP',
      modules: () => [
        ...(['locations', 'tariffs'] as const).map((id) => ({ identifier: id, role: 'RECEIVER' as const, versions: ['2.1.1', '2.2.1'] as const, router: receiverRoutes(RECEIVER_MODULES[id], objects, { timeZoneOf: () => 'Europe/Amsterdam' }) })),
        { identifier: 'commands', role: 'SENDER', versions: ['2.1.1', '2.2.1'], router: commandResultRoutes({ result: (type, id, result) => Promise.resolve(results.push({ type, id, result }) > 0) }) },
      ],
    });
    try {
      const outcome = await w.backend.pushAll('bridge');
      expect(outcome.failed).toEqual([]);
      expect(pushed).toEqual([
        { level: 'location', id: 'LOC1' },
        { level: 'location', id: '3e7b39c2-10d0-4138-a8b3-8509a25f9920' },
        { level: 'location', id: 'cbb0df21-d17d-40ba-a4aa-dc588c8f98cb' },
        { level: 'tariff', id: '12' },
        { level: 'tariff', id: '14' },
        { level: 'tariff', id: '16' },
      ]);

      const bridgePeer = new OcpiPeer((await w.bridgeStore.parties.get('backend'))!, client, BRIDGE);
      const locations: { id: string; party_id: string }[] = [];
      for await (const location of bridgePeer.pull('locations')) locations.push(location as { id: string; party_id: string });
      expect(locations.map((l) => [l.id, l.party_id])).toEqual([
        ['LOC1', 'SIM'],
        ['3e7b39c2-10d0-4138-a8b3-8509a25f9920', 'SIM'],
        ['cbb0df21-d17d-40ba-a4aa-dc588c8f98cb', 'SIM'],
      ]);

      const token = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
      const responseUrl = `${w.bridge.url}/ocpi/${version}/commands/START_SESSION/c-1`;
      expect(await bridgePeer.command('START_SESSION', { response_url: responseUrl, token, location_id: 'LOC1', evse_uid: '3256' })).toMatchObject({ ok: true, value: { result: 'ACCEPTED' } });
      for (let i = 0; i < 100 && results.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(results).toEqual([{ type: 'START_SESSION', id: 'c-1', result: { result: 'ACCEPTED' } }]);
      expect(await bridgePeer.command('START_SESSION', { response_url: responseUrl, token, location_id: 'NOWHERE' })).toMatchObject({ ok: true, value: { result: 'REJECTED' } });
      expect(w.backend.platform.traffic.map((t) => t.what)).toEqual(['GET list', 'POST START_SESSION', 'POST START_SESSION']);
    } finally {
      await w.close();
    }
  });
});

it('the CPO simulator closing with a command result still due drops it instead of reaching into its closed store', async () => {
  const results: CommandResult[] = [];
  const failures: unknown[] = [];
  const onFailure = (err: unknown) => void failures.push(err);
  process.on('unhandledRejection', onFailure);
  const w = await startOcpiWorld({
    version: '2.2.1',
    role: 'CPO',
    bridgeRole: 'EMSP',
    modules: () => [{ identifier: 'commands', role: 'SENDER', versions: ['2.2.1'], router: commandResultRoutes({ result: (_type, _id, result) => Promise.resolve(results.push(result) > 0) }) }],
  });
  try {
    const bridgePeer = new OcpiPeer((await w.bridgeStore.parties.get('backend'))!, client, BRIDGE);
    const token = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
    const command = { response_url: `${w.bridge.url}/ocpi/2.2.1/commands/START_SESSION/c-2`, token, location_id: 'LOC1', evse_uid: '3256' };
    expect(await bridgePeer.command('START_SESSION', command)).toMatchObject({ ok: true, value: { result: 'ACCEPTED' } });
  } finally {
    await w.close();
  }
  // Past the simulated charge point's delay: nothing was sent and nothing failed.
  await new Promise((resolve) => setTimeout(resolve, 150));
  process.off('unhandledRejection', onFailure);
  expect([results, failures]).toEqual([[], []]);
});

it('the eMSP simulator authorizes its tokens in real time and keeps what a CPO pushes', async () => {
  const w = await startOcpiWorld({ version: '2.2.1', role: 'EMSP', bridgeRole: 'CPO', modules: () => [] });
  try {
    const cpo = new OcpiPeer((await w.bridgeStore.parties.get('backend'))!, client, { ...BRIDGE, role: 'CPO' });
    const token = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
    expect(await cpo.authorize(token.uid, token.type, { location_id: 'LOC1' })).toMatchObject({ ok: true, value: { allowed: 'ALLOWED', token: { uid: token.uid, party_id: 'SIM' } } });
    expect(await cpo.authorize('unknown', 'RFID')).toMatchObject({ ok: false, failure: { kind: 'http', httpStatus: 404 } });
    const location = { ...(corpusJson('2.2.1', 'location_example.json') as object), country_code: 'DE', party_id: 'BRG' };
    expect(await cpo.put('locations', { countryCode: 'DE', partyId: 'BRG' }, ['LOC1'], location)).toMatchObject({ ok: true });
    expect(w.backend.platform.objects.locations.get('DE/BRG/LOC1')).toEqual(location);
  } finally {
    await w.close();
  }
});

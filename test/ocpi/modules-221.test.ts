/**
 * The modules only OCPI 2.2.1 has, over HTTP after a real handshake: ChargingProfiles on both sides
 * and HubClientInfo's Receiver; a 2.1.1 peer does not find them.
 */
import { chargingProfileReceiverRoutes, chargingProfileSenderRoutes } from '../../src/ocpi/charging-profiles';
import type { ClientInfo } from '../../src/ocpi/wire/credentials';
import { clientInfoReceiverRoutes } from '../../src/ocpi/hub-client-info';
import type { ActiveChargingProfile, ChargingProfileResult, SetChargingProfile } from '../../src/ocpi/wire/transaction-schemas';
import { OcpiClient } from '../../src/ocpi/client';
import { pageOf } from '../../src/ocpi/pagination';
import { OcpiPeer } from '../../src/ocpi/peer';
import { SENDER_MODULES, senderRoutes } from '../../src/ocpi/sender';
import { quietLogger } from '../support/oicp-network';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';

const calls: { what: string; args: unknown[] }[] = [];
const profile: SetChargingProfile = { response_url: 'https://emsp.example/cp/results/1', charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 11000 }] } };

describe('ChargingProfiles, the bridge as CPO (Receiver)', () => {
  let w: OcpiWorld;
  beforeAll(async () => {
    const respond = (what: string) => (...args: unknown[]) => {
      calls.push({ what, args });
      return Promise.resolve({ result: 'ACCEPTED' as const, timeout: 30 });
    };
    w = await startOcpiWorld({
      version: '2.2.1',
      role: 'EMSP',
      bridgeRole: 'CPO',
      modules: () => [
        { identifier: 'chargingprofiles', role: 'RECEIVER', versions: ['2.2.1'], router: chargingProfileReceiverRoutes({ getActive: respond('get'), set: respond('set'), clear: respond('clear') }) },
        { identifier: 'hubclientinfo', role: 'RECEIVER', versions: ['2.2.1'], configuration: true, router: clientInfoReceiverRoutes({ put: (info) => Promise.resolve(void calls.push({ what: 'clientinfo', args: [info] })), get: () => Promise.resolve(undefined) }) },
      ],
    });
  });
  afterAll(async () => {
    await w.close();
  });

  it('answers GET, PUT and DELETE with a ChargingProfileResponse and hands the request on', async () => {
    const get = await w.call('get', 'chargingprofiles', '/S1?duration=900&response_url=https://emsp.example/cp/results/2');
    expect([get.body.status_code, get.body.data]).toEqual([1000, { result: 'ACCEPTED', timeout: 30 }]);
    expect(calls.at(-1)).toEqual({ what: 'get', args: ['S1', 900, 'https://emsp.example/cp/results/2', 'backend'] });
    expect((await w.call('put', 'chargingprofiles', '/S1', profile)).body.status_code).toBe(1000);
    expect(calls.at(-1)).toEqual({ what: 'set', args: ['S1', profile, 'backend'] });
    expect((await w.call('delete', 'chargingprofiles', '/S1?response_url=https://emsp.example/cp/results/3')).body.status_code).toBe(1000);
  });

  it('refuses a missing duration or response_url, and a profile in an unknown unit, with 2001', async () => {
    expect((await w.call('get', 'chargingprofiles', '/S1?response_url=https://x.example/r')).body.status_message).toBe('duration: whole seconds are required');
    expect((await w.call('delete', 'chargingprofiles', '/S1')).body.status_message).toBe('response_url: an http(s) URL is required');
    const bad = await w.call('put', 'chargingprofiles', '/S1', { ...profile, charging_profile: { ...profile.charging_profile, charging_rate_unit: 'kW' } });
    expect([bad.body.status_code, bad.body.status_message]).toEqual([2001, expect.stringContaining('charging_rate_unit')]);
  });

  it('HubClientInfo takes a ClientInfo PUT at its own address, without routing headers', async () => {
    const info: ClientInfo = { country_code: 'BE', party_id: 'ABC', role: 'CPO', status: 'CONNECTED', last_updated: '2026-01-01T00:00:00Z' };
    const put = await w.call('put', 'hubclientinfo', '/BE/ABC', info);
    expect([put.body.status_code, put.headers['ocpi-to-party-id']]).toEqual([1000, undefined]);
    expect(calls.at(-1)).toEqual({ what: 'clientinfo', args: [info] });
    expect((await w.call('put', 'hubclientinfo', '/BE/XYZ', info)).body.status_code).toBe(2001);
    expect((await w.call('get', 'hubclientinfo', '/BE/XYZ')).status).toBe(404);
  });
});

describe('ChargingProfiles, the bridge as eMSP (Sender)', () => {
  it('takes a CPO’s active profile updates and the results of its requests', async () => {
    const results: { id: string; result: ChargingProfileResult }[] = [];
    const active: { session: string; profile: ActiveChargingProfile }[] = [];
    const w = await startOcpiWorld({
      version: '2.2.1',
      role: 'CPO',
      bridgeRole: 'EMSP',
      modules: () => [
        {
          identifier: 'chargingprofiles',
          role: 'SENDER',
          versions: ['2.2.1'],
          router: chargingProfileSenderRoutes({
            activeProfile: (session, p) => Promise.resolve(void active.push({ session, profile: p })),
            result: (id, result) => Promise.resolve(results.push({ id, result }) > 0 && id === 'r-1'),
          }),
        },
      ],
    });
    try {
      const update: ActiveChargingProfile = { start_date_time: '2026-01-01T10:00:00Z', charging_profile: profile.charging_profile };
      const put = await w.call('put', 'chargingprofiles', '/S1', update);
      expect([put.body.status_code, put.body]).toEqual([1000, expect.not.objectContaining({ data: expect.anything() as unknown })]);
      expect(active).toEqual([{ session: 'S1', profile: update }]);
      const result: ChargingProfileResult = { result: 'ACCEPTED', profile: update };
      expect((await w.call('post', 'chargingprofiles', '/results/r-1', result)).body.status_code).toBe(1000);
      expect(results.at(-1)).toEqual({ id: 'r-1', result });
      expect((await w.call('post', 'chargingprofiles', '/results/r-9', { result: 'REJECTED' })).status).toBe(404);
    } finally {
      await w.close();
    }
  });
});

it('HubClientInfo as Sender (a bridge presenting the HUB role) lists the parties behind it, and a peer pulls them', async () => {
  const parties: ClientInfo[] = ['AAA', 'BBB', 'CCC'].map((party_id) => ({ country_code: 'DE', party_id, role: 'CPO', status: 'CONNECTED', last_updated: '2026-01-01T00:00:00Z' }));
  const w = await startOcpiWorld({
    version: '2.2.1',
    role: 'CPO',
    bridgeRole: 'EMSP',
    modules: (publicUrl) => [
      { identifier: 'hubclientinfo', role: 'SENDER', versions: ['2.2.1'], configuration: true, router: senderRoutes(SENDER_MODULES.hubclientinfo, { list: (_module, query) => Promise.resolve(pageOf(parties, query)) }, { publicUrl, logger: quietLogger(), maxLimit: 2 }) },
    ],
  });
  try {
    const peer = new OcpiPeer((await w.backend.store.parties.get('bridge'))!, new OcpiClient({ logger: quietLogger() }), { role: 'CPO', countryCode: 'NL', partyId: 'SIM' });
    const pulled: unknown[] = [];
    for await (const info of peer.pull('hubclientinfo')) pulled.push(info);
    expect(pulled).toEqual(parties);
  } finally {
    await w.close();
  }
});

it('a 2.1.1 peer does not find the 2.2.1-only modules', async () => {
  const w = await startOcpiWorld({
    version: '2.1.1',
    role: 'EMSP',
    bridgeRole: 'CPO',
    modules: () => [{ identifier: 'chargingprofiles', role: 'RECEIVER', versions: ['2.2.1'], router: chargingProfileReceiverRoutes({ getActive: () => Promise.reject(new Error('unreachable')), set: () => Promise.reject(new Error('unreachable')), clear: () => Promise.reject(new Error('unreachable')) }) }],
  });
  try {
    const res = await w.call('put', 'chargingprofiles', '/S1', profile);
    expect([res.status, res.body.status_code]).toEqual([404, 2000]);
    // Nor are they listed in its version details.
    const details = await w.call('get', '', '');
    expect((details.body.data.endpoints as { identifier: string }[]).map((e) => e.identifier)).toEqual(['credentials']);
  } finally {
    await w.close();
  }
});

/**
 * OICP carries a UTC offset, not a zone: after a daylight-saving switch the cached network goes to
 * Hubject again (the data is read and mapped when sent, so it carries the new offset).
 */
import { EVSE_DATA_TOPIC, EVSE_STATUS_TOPIC } from '../../src/flows/cpo/location-publication';
import { cpoLocations } from '../../src/flows/cpo/locations';
import type { Location } from '../../src/ocpi/wire/schemas';
import { openStore, type Store } from '../../src/store';
import { corpusJson } from '../support/corpus';
import { RULES } from '../support/cpo-scene';
import { quietLogger } from '../support/oicp-network';
import { TEST_POLICY } from '../support/stores';

let store: Store;
beforeEach(async () => {
  store = await openStore({ path: ':memory:', schema: 'public', poolSize: 1 }, TEST_POLICY);
});
afterEach(() => store.close());

it('sends the network again as fullLoad once a zone of it changed its UTC offset, and then carries the new offset', async () => {
  let now = new Date('2026-10-24T12:00:00Z');
  const locations = cpoLocations({ store, rules: RULES, operatorId: 'BE*BEC', logger: quietLogger(), stale: () => undefined, now: () => now });
  const location = { ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM' };
  expect(location.time_zone).toBe('Europe/Brussels');
  await locations.receiver.put('location', { countryCode: 'NL', partyId: 'SIM', ids: [location.id] }, location, { party: 'backend', version: '2.2.1', findings: [] });
  const barriers = async () => (await store.outbox.list({ state: 'pending' })).filter((i) => i.barrier).map((i) => i.topic);

  expect(await locations.resendOnOffsetChange()).toEqual([]);
  now = new Date('2026-10-24T18:00:00Z');
  expect(await locations.resendOnOffsetChange()).toEqual([]);
  expect(await barriers()).toEqual([]);
  expect((await locations.currentNetwork()).records[0]!.Address.TimeZone).toBe('UTC+02:00');

  // Sunday 25 October 2026, 01:00 UTC: Brussels goes from UTC+02:00 to UTC+01:00.
  now = new Date('2026-10-25T01:10:00Z');
  expect(await locations.resendOnOffsetChange()).toEqual(['Europe/Brussels']);
  expect(await barriers()).toEqual([EVSE_DATA_TOPIC, EVSE_STATUS_TOPIC]);
  expect((await locations.currentNetwork()).records[0]!.Address.TimeZone).toBe('UTC+01:00');
  expect(await locations.resendOnOffsetChange()).toEqual([]);
});

/**
 * Matching a 2.1.1 session or CDR to Hubject's authorization by token and EVSE: the latest one given
 * shortly before it began, at its EVSE, not one another session already uses.
 */
import { AUTHORIZATION_KIND, authorizedToken, matchingAuthorization, recordAuthorization } from '../../src/flows/cpo/authorization-index';
import { storeRetentionJob } from '../../src/flows/retention';
import { quietLogger } from '../support/oicp-network';
import { NOTIFIED_KIND } from '../../src/flows/cpo/authorization-index';
import type { Token } from '../../src/ocpi/wire/transaction-schemas';
import { openStore, type Store } from '../../src/store';

const POLICY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0, leaseMs: 30_000 };
const CARD: Token = { country_code: 'DE', party_id: 'DCB', uid: 'AABBCCDD', type: 'RFID', contract_id: 'DE-DCB-C12345678-X', issuer: 'DE-DCB', valid: true, whitelist: 'NEVER', last_updated: '2026-11-24T08:00:00Z' };
const at = (time: string) => `2026-11-24T${time}:00.000Z`;

let store: Store;
beforeEach(async () => {
  store = await openStore({ path: ':memory:', schema: 'public', poolSize: 1 }, POLICY);
  await recordAuthorization(store, { attrs: {}, token: CARD, given: { sessionId: 'S-early', evseId: 'BE*BEC*E1', at: at('08:00') } });
  await recordAuthorization(store, { attrs: {}, token: CARD, given: { sessionId: 'S-late', evseId: 'BE*BEC*E1', at: at('10:00') } });
  await recordAuthorization(store, { attrs: {}, token: CARD, given: { sessionId: 'S-other-evse', evseId: 'BE*BEC*E2', at: at('10:30') } });
});
afterEach(() => store.close());

const match = (startedAt: string, extra: { evseId?: string; sessionKey?: string; tokenNames?: string[] } = {}) =>
  matchingAuthorization(store, { tokenNames: extra.tokenNames ?? [CARD.uid], evseId: extra.evseId ?? 'BE*BEC*E1', startedAt: at(startedAt), ...(extra.sessionKey && { sessionKey: extra.sessionKey }) });

it('takes the latest authorization at the EVSE before the start, by uid or by contract id (2.1.1 auth_id)', async () => {
  expect(await match('10:05')).toBe('S-late');
  expect(await match('09:00')).toBe('S-early');
  expect(await match('10:05', { tokenNames: [CARD.contract_id] })).toBe('S-late');
  expect(await match('10:35', { evseId: 'BE*BEC*E2' })).toBe('S-other-evse');
  expect(await authorizedToken(store, CARD.contract_id)).toEqual(CARD);
  expect(await store.correlations.byOcpi(AUTHORIZATION_KIND, 'S-late')).toMatchObject({ oicpId: 'S-late' });
});

it('allows a few minutes of clock skew, but not an authorization given later or more than a day before', async () => {
  // The charge point's clock is 3 minutes behind: the session seems to begin before its authorization.
  await store.correlations.put({ kind: NOTIFIED_KIND, ocpiId: 'NL*SIM/S-0', oicpId: 'S-early', attrs: {} });
  expect(await match('09:57', { sessionKey: 'NL*SIM/S-1' })).toBe('S-late');
  expect(await match('07:50')).toBeUndefined();
  expect(await match('10:05', { tokenNames: ['UNKNOWN1'] })).toBeUndefined();
  const nextDay = await matchingAuthorization(store, { tokenNames: [CARD.uid], evseId: 'BE*BEC*E1', startedAt: '2026-11-25T10:01:00.000Z' });
  expect(nextDay).toBeUndefined();
});

it('forgets a token a month (retention.authorizationsDays) after its last authorization, not before', async () => {
  const day = 24 * 3_600_000;
  const retention = { authorizationsDays: 30, sessionsDays: 90, cdrsDays: 90, everyMinutes: 60 };
  await storeRetentionJob(store, retention, quietLogger(), () => Date.now() + 29 * day).run();
  expect(await authorizedToken(store, CARD.uid)).toEqual(CARD);
  await storeRetentionJob(store, retention, quietLogger(), () => Date.now() + 31 * day).run();
  expect(await authorizedToken(store, CARD.uid)).toBeUndefined();
});

it('gives a CDR the authorization of the session that began when it did, before a closer free one', async () => {
  await store.objects.put('sessions', 'NL*SIM', 'S-1', { id: 'S-1', start_date_time: at('09:58') });
  await store.correlations.put({ kind: NOTIFIED_KIND, ocpiId: 'NL*SIM/S-1', oicpId: 'S-late', attrs: {} });
  expect(await match('09:58')).toBe('S-late');
  // A CDR no notified session began with: the closest authorization before it.
  expect(await match('09:59')).toBe('S-early');
});

it('passes over an authorization another session already uses; its own session and CDRs still find it', async () => {
  await store.correlations.put({ kind: NOTIFIED_KIND, ocpiId: 'NL*SIM/S-1', oicpId: 'S-late', attrs: {} });
  expect(await match('10:05', { sessionKey: 'NL*SIM/S-2' })).toBe('S-early');
  expect(await match('10:05', { sessionKey: 'NL*SIM/S-1' })).toBe('S-late');
  expect(await match('10:05')).toBe('S-late');
});

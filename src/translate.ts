/**
 * The document translations `ocpi-oicp-bridge translate` offers, as one table: each pair of kinds
 * names the function that does it. Pairs from OCPI 2.1.1 go up to 2.2.1 first, pairs to 2.1.1 come
 * down from 2.2.1 last, so every mapper is written once against OCPI 2.2.1.
 */
import type { Finding, Mapped } from './core/findings';
import { childPath, FindingLog } from './core/findings';
import { partyToOperatorId, type OcpiParty } from './mapping/identifiers';
import { ocpiLocationToOicp } from './mapping/location/to-oicp';
import { oicpEvseDataToLocations } from './mapping/location/from-oicp';
import { evseDefaults, type MappingRules } from './mapping/rules';
import { ocpiEvseToStatusRecord, oicpStatusRecordToOcpi } from './mapping/evse-status';
import { ocpiLocationEvsePricing, ocpiTariffsToOicp } from './mapping/tariff/to-oicp';
import { oicpEvsePricingToTariffIds, oicpPricingToTariffs } from './mapping/tariff/from-oicp';
import { EvseStatusRecords } from './oicp/wire/schemas';
import { checkLocation } from './ocpi/wire/schemas';
import { location211To221, location221To211, tariff211To221, tariff221To211 } from './mapping/ocpi-211/locations';
import { check, checkInto, soundItems } from './core/typebox';
import type { Location, Tariff } from './ocpi/wire/schemas';
import { identificationToOcpiToken, tokenToIdentification } from './mapping/identification';
import { ocpiAuthorizationToOicp, oicpAuthorizationToOcpi } from './mapping/authorization';
import { notificationToOcpiSession, ocpiSessionToNotification } from './mapping/session';
import { ocpiCdrToOicp, oicpCdrToOcpi } from './mapping/cdr';
import {
  acknowledgementToCommandResult,
  remoteStartToOcpi,
  remoteStopToOcpi,
  reservationStartToOcpi,
  reservationStopToOcpi,
  reserveNowToOicp,
  startSessionToOicp,
} from './mapping/command';
import { Token as TokenSchema } from './ocpi/wire/transaction-schemas';
import { Identification as IdentificationSchema } from './oicp/wire/transaction-schemas';
import { cdr211To221, cdr221To211, session211To221, session221To211, token211To221, token221To211 } from './mapping/ocpi-211/transactions';

export const KINDS = [
  'ocpi-2.2.1:location',
  'ocpi-2.1.1:location',
  'ocpi-2.2.1:tariff',
  'ocpi-2.1.1:tariff',
  'ocpi-2.2.1:evse-status',
  'ocpi-2.2.1:connector-tariffs',
  'oicp-2.3:evse-data-records',
  'oicp-2.3:evse-status-records',
  'oicp-2.3:pricing-product-data',
  'oicp-2.3:evse-pricing',
  'ocpi-2.2.1:token',
  'ocpi-2.1.1:token',
  'ocpi-2.2.1:authorization-info',
  'ocpi-2.2.1:session',
  'ocpi-2.1.1:session',
  'ocpi-2.2.1:cdr',
  'ocpi-2.1.1:cdr',
  'ocpi-2.2.1:command-start-session',
  'ocpi-2.2.1:command-stop-session',
  'ocpi-2.2.1:command-reserve-now',
  'ocpi-2.2.1:command-cancel-reservation',
  'ocpi-2.2.1:command-result',
  'oicp-2.3:identification',
  'oicp-2.3:authorization-start',
  'oicp-2.3:charging-notification',
  'oicp-2.3:charge-detail-record',
  'oicp-2.3:authorize-remote-start',
  'oicp-2.3:authorize-remote-stop',
  'oicp-2.3:authorize-remote-reservation-start',
  'oicp-2.3:authorize-remote-reservation-stop',
  'oicp-2.3:acknowledgement',
] as const;
export type Kind = (typeof KINDS)[number];

export interface TranslateContext {
  rules: MappingRules;
  /** The instant standing for "now": time zone offsets, and last_updated where OICP gives none. */
  now: Date;
  /** Owner of OCPI 2.1.1 objects (their URL names it, the object does not); the token owner of OICP identifications. */
  party?: OcpiParty;
  /** The OCPI tariff that applied (CDRs and sessions from OICP: OICP carries no price). */
  tariff?: Tariff;
  /** The cached OCPI location of the EVSE (OICP names the EvseID only; 2.1.1 embeds the location). */
  location?: Location;
  /** Hubject's SessionID of the session, by correlation. */
  sessionId?: string;
  /** Where the CPO posts a command's result (OCPI commands built from OICP). */
  responseUrl?: string;
}

type Translation = (input: unknown, ctx: TranslateContext) => Mapped<unknown>;

interface Pair {
  from: Kind;
  to: Kind;
  description: string;
  run: Translation;
}

const locationRecords: Translation = (input, ctx) => {
  const mapped = ocpiLocationToOicp(input, { rules: ctx.rules, at: ctx.now });
  return { value: mapped.value?.records, findings: mapped.findings };
};

const locationStatuses: Translation = (input, ctx) => {
  const log = new FindingLog();
  const checked = checkLocation(input, log);
  if (checked === undefined) return log.result(undefined);
  const records = checked.evses.flatMap(({ item: evse, path }) => {
    const record = log.take(ocpiEvseToStatusRecord(evse, path, { overrides: ctx.rules.status }));
    return record ? [record] : [];
  });
  return log.result(records);
};

const locationPricing: Translation = (input, ctx) => ocpiLocationEvsePricing(input, ctx.rules);

const statusRecords: Translation = (input, ctx) => {
  const log = new FindingLog();
  const checked = check(EvseStatusRecords, input);
  log.findings.push(...checked.findings);
  const statuses = soundItems(checked.refused, checked.value, '').flatMap(({ item: record, path }) => {
    const status = log.take(oicpStatusRecordToOcpi(record, path, ctx.rules.status));
    return status ? [status] : [];
  });
  return log.result(statuses);
};

const recordsToLocations: Translation = (input, ctx) => oicpEvseDataToLocations(input, { rules: ctx.rules, now: ctx.now });
const pricingToTariffs: Translation = (input, ctx) => oicpPricingToTariffs(input, { rules: ctx.rules, now: ctx.now });

/** Runs `then` on the value of `first`, or stops where `first` refused; findings of both are kept. */
function compose(first: Translation, then: Translation): Translation {
  return (input, ctx) => {
    const a = first(input, ctx);
    if (a.value === undefined) return a;
    const b = then(a.value, ctx);
    return { value: b.value, findings: [...a.findings, ...b.findings] };
  };
}

/** Applies a single-object translation to each element of a list. */
function each(one: Translation): Translation {
  return (input, ctx) => {
    const log = new FindingLog();
    const list = Array.isArray(input) ? (input as unknown[]) : [];
    const values = list.flatMap((item, i) => {
      const value = log.takeAt(childPath('', i), one(item, ctx));
      return value === undefined ? [] : [value];
    });
    return log.result(values);
  };
}

const locationUp: Translation = (input, ctx) =>
  location211To221(input, { party: ctx.party, timeZoneOf: (party) => evseDefaults(ctx.rules, partyToOperatorId(party)).timeZone });
const tariffUp: Translation = (input, ctx) => tariff211To221(input, { party: ctx.party });
const locationDown: Translation = (input) => location221To211(input);
const tariffDown: Translation = (input) => tariff221To211(input);

/** A token as OICP identifies it when authorizing (RFID by UID, every other type remotely). */
const tokenIdentification: Translation = (input) => {
  const log = new FindingLog();
  const token = checkInto(TokenSchema, input, log);
  return log.result(token && log.take(tokenToIdentification(token, 'authorization')));
};

const identificationToken: Translation = (input, ctx) => {
  const log = new FindingLog();
  const identification = checkInto(IdentificationSchema, input, log);
  return log.result(identification && log.take(identificationToOcpiToken(identification, ctx.party, ctx.now, '')));
};

/** OCPI commands built from OICP need the URL the CPO answers to: the bridge's, given with --response-url. */
const PLACEHOLDER_RESPONSE_URL = 'https://bridge.invalid/ocpi/commands/result';
function toCommand(run: (input: unknown, options: { responseUrl: string; location?: Location; now: Date }) => Mapped<unknown>): Translation {
  return (input, ctx) => {
    const mapped = run(input, { responseUrl: ctx.responseUrl ?? PLACEHOLDER_RESPONSE_URL, location: ctx.location, now: ctx.now });
    if (ctx.responseUrl !== undefined) return mapped;
    return { ...mapped, findings: [...mapped.findings, { kind: 'default', path: 'response_url', message: `no --response-url: ${PLACEHOLDER_RESPONSE_URL} stands in` }] };
  };
}

const tokenUp: Translation = (input, ctx) => token211To221(input, { party: ctx.party });
const sessionUp: Translation = (input, ctx) => session211To221(input, { party: ctx.party });
const cdrUp: Translation = (input, ctx) => cdr211To221(input, { party: ctx.party });
const cdrToOicp: Translation = (input, ctx) => ocpiCdrToOicp(input, { rules: ctx.rules, correlation: { sessionId: ctx.sessionId } });
const cdrToOcpi: Translation = (input, ctx) => oicpCdrToOcpi(input, { rules: ctx.rules, tariff: ctx.tariff, location: ctx.location, provider: ctx.party, sessionId: ctx.sessionId, now: ctx.now });

export const PAIRS: readonly Pair[] = [
  { from: 'ocpi-2.2.1:location', to: 'oicp-2.3:evse-data-records', description: 'one EvseDataRecord per EVSE (REMOVED and PLANNED EVSEs left out)', run: locationRecords },
  { from: 'ocpi-2.2.1:location', to: 'oicp-2.3:evse-status-records', description: 'one EvseStatusRecord per EVSE', run: locationStatuses },
  { from: 'ocpi-2.2.1:location', to: 'oicp-2.3:evse-pricing', description: 'EVSEPricing from the connectors’ tariff_ids', run: locationPricing },
  { from: 'ocpi-2.2.1:location', to: 'ocpi-2.1.1:location', description: 'down to OCPI 2.1.1', run: locationDown },
  { from: 'ocpi-2.1.1:location', to: 'ocpi-2.2.1:location', description: 'up to OCPI 2.2.1 (--party, or the operator of an evse_id)', run: locationUp },
  { from: 'ocpi-2.1.1:location', to: 'oicp-2.3:evse-data-records', description: 'up to 2.2.1, then EVSE data', run: compose(locationUp, locationRecords) },
  { from: 'ocpi-2.1.1:location', to: 'oicp-2.3:evse-status-records', description: 'up to 2.2.1, then EVSE status', run: compose(locationUp, locationStatuses) },
  { from: 'ocpi-2.1.1:location', to: 'oicp-2.3:evse-pricing', description: 'up to 2.2.1, then EVSE pricing', run: compose(locationUp, locationPricing) },
  { from: 'ocpi-2.2.1:tariff', to: 'oicp-2.3:pricing-product-data', description: 'a PricingProductData block (a tariff or a list of tariffs)', run: (input, ctx) => ocpiTariffsToOicp(input, { rules: ctx.rules }) },
  { from: 'ocpi-2.2.1:tariff', to: 'ocpi-2.1.1:tariff', description: 'down to OCPI 2.1.1', run: tariffDown },
  { from: 'ocpi-2.1.1:tariff', to: 'ocpi-2.2.1:tariff', description: 'up to OCPI 2.2.1 (needs --party)', run: tariffUp },
  { from: 'ocpi-2.1.1:tariff', to: 'oicp-2.3:pricing-product-data', description: 'up to 2.2.1, then pricing products (needs --party)', run: compose(tariffUp, (input, ctx) => ocpiTariffsToOicp(input, { rules: ctx.rules })) },
  { from: 'oicp-2.3:evse-data-records', to: 'ocpi-2.2.1:location', description: 'records grouped into locations (a list)', run: recordsToLocations },
  { from: 'oicp-2.3:evse-data-records', to: 'ocpi-2.1.1:location', description: 'records grouped into locations, down to 2.1.1 (a list)', run: compose(recordsToLocations, each(locationDown)) },
  { from: 'oicp-2.3:evse-status-records', to: 'ocpi-2.2.1:evse-status', description: 'the OCPI status of each EvseID', run: statusRecords },
  { from: 'oicp-2.3:pricing-product-data', to: 'ocpi-2.2.1:tariff', description: 'tariffs (a list); products id, id@2, ... form one tariff', run: pricingToTariffs },
  { from: 'oicp-2.3:pricing-product-data', to: 'ocpi-2.1.1:tariff', description: 'tariffs down to 2.1.1 (a list)', run: compose(pricingToTariffs, each(tariffDown)) },
  { from: 'oicp-2.3:evse-pricing', to: 'ocpi-2.2.1:connector-tariffs', description: 'the OCPI tariff ids of each EvseID', run: (input, ctx) => oicpEvsePricingToTariffIds(input, ctx.rules) },
  { from: 'ocpi-2.2.1:token', to: 'oicp-2.3:identification', description: 'the Identification of an authorization (RFID by UID, others by EvcoID)', run: tokenIdentification },
  { from: 'ocpi-2.1.1:token', to: 'oicp-2.3:identification', description: 'up to 2.2.1 (--party, or the eMAID), then the Identification', run: compose(tokenUp, tokenIdentification) },
  { from: 'ocpi-2.1.1:token', to: 'ocpi-2.2.1:token', description: 'up to OCPI 2.2.1 (--party, or the eMAID)', run: tokenUp },
  { from: 'ocpi-2.2.1:token', to: 'ocpi-2.1.1:token', description: 'down to OCPI 2.1.1', run: (input) => token221To211(input) },
  { from: 'oicp-2.3:identification', to: 'ocpi-2.2.1:token', description: 'an OCPI token (--party: the eMSP, else the EvcoID names it)', run: identificationToken },
  { from: 'ocpi-2.2.1:authorization-info', to: 'oicp-2.3:authorization-start', description: 'the AuthorizationStart response (--session-id echoed)', run: (input, ctx) => ocpiAuthorizationToOicp(input, { sessionId: ctx.sessionId }) },
  { from: 'oicp-2.3:authorization-start', to: 'ocpi-2.2.1:authorization-info', description: 'AuthorizationInfo (token from the stop identification)', run: (input, ctx) => oicpAuthorizationToOcpi(input, { now: ctx.now }) },
  { from: 'ocpi-2.2.1:session', to: 'oicp-2.3:charging-notification', description: 'the notification of a session update (--session-id, --location); null when none', run: (input, ctx) => ocpiSessionToNotification(input, { rules: ctx.rules, sessionId: ctx.sessionId, location: ctx.location }) },
  { from: 'ocpi-2.1.1:session', to: 'ocpi-2.2.1:session', description: 'up to OCPI 2.2.1 (--party)', run: sessionUp },
  { from: 'ocpi-2.2.1:session', to: 'ocpi-2.1.1:session', description: 'down to OCPI 2.1.1 (--location: the cached location)', run: (input, ctx) => session221To211(input, { location: ctx.location }) },
  { from: 'oicp-2.3:charging-notification', to: 'ocpi-2.2.1:session', description: 'the OCPI session after a Start/Progress/End (--location, --tariff)', run: (input, ctx) => notificationToOcpiSession(input, { rules: ctx.rules, location: ctx.location, tariff: ctx.tariff, provider: ctx.party, now: ctx.now }) },
  { from: 'ocpi-2.2.1:cdr', to: 'oicp-2.3:charge-detail-record', description: 'the ChargeDetailRecord (--session-id, or an authorization_reference holding it)', run: cdrToOicp },
  { from: 'ocpi-2.1.1:cdr', to: 'ocpi-2.2.1:cdr', description: 'up to OCPI 2.2.1 (--party)', run: cdrUp },
  { from: 'ocpi-2.1.1:cdr', to: 'oicp-2.3:charge-detail-record', description: 'up to 2.2.1 (--party), then the ChargeDetailRecord (--session-id)', run: compose(cdrUp, cdrToOicp) },
  { from: 'ocpi-2.2.1:cdr', to: 'ocpi-2.1.1:cdr', description: 'down to OCPI 2.1.1 (--location: the cached location)', run: (input, ctx) => cdr221To211(input, { location: ctx.location }) },
  { from: 'oicp-2.3:charge-detail-record', to: 'ocpi-2.2.1:cdr', description: 'an OCPI CDR priced with --tariff at --location', run: cdrToOcpi },
  { from: 'oicp-2.3:charge-detail-record', to: 'ocpi-2.1.1:cdr', description: 'an OCPI CDR (--tariff, --location), down to 2.1.1', run: compose(cdrToOcpi, (input, ctx) => cdr221To211(input, { location: ctx.location })) },
  { from: 'ocpi-2.2.1:command-start-session', to: 'oicp-2.3:authorize-remote-start', description: 'AuthorizeRemoteStart (--session-id: the new SessionID, --location)', run: (input, ctx) => startSessionToOicp(input, { sessionId: ctx.sessionId, location: ctx.location }) },
  { from: 'ocpi-2.2.1:command-reserve-now', to: 'oicp-2.3:authorize-remote-reservation-start', description: 'AuthorizeRemoteReservationStart (--location, --at)', run: (input, ctx) => reserveNowToOicp(input, { sessionId: ctx.sessionId, location: ctx.location, now: ctx.now }) },
  { from: 'oicp-2.3:authorize-remote-start', to: 'ocpi-2.2.1:command-start-session', description: 'START_SESSION (--location, --response-url)', run: toCommand(remoteStartToOcpi) },
  { from: 'oicp-2.3:authorize-remote-stop', to: 'ocpi-2.2.1:command-stop-session', description: 'STOP_SESSION of the CPOPartnerSessionID (--response-url)', run: toCommand(remoteStopToOcpi) },
  { from: 'oicp-2.3:authorize-remote-reservation-start', to: 'ocpi-2.2.1:command-reserve-now', description: 'RESERVE_NOW (--location, --response-url, --at)', run: toCommand(reservationStartToOcpi) },
  { from: 'oicp-2.3:authorize-remote-reservation-stop', to: 'ocpi-2.2.1:command-cancel-reservation', description: 'CANCEL_RESERVATION (--response-url)', run: toCommand(reservationStopToOcpi) },
  { from: 'oicp-2.3:acknowledgement', to: 'ocpi-2.2.1:command-result', description: 'the CommandResult of a remote operation', run: (input) => acknowledgementToCommandResult(input) },
];

export function findPair(from: string, to: string): Pair | undefined {
  return PAIRS.find((pair) => pair.from === from && pair.to === to);
}

export interface Translated {
  value: unknown;
  findings: Finding[];
  /** The input broke its specification somewhere (an `invalid` finding), or nothing could be produced. */
  refused: boolean;
}

export function translate(pair: Pair, input: unknown, ctx: TranslateContext): Translated {
  const { value, findings } = pair.run(input, ctx);
  return { value, findings, refused: value === undefined || findings.some((f) => f.kind === 'invalid') };
}

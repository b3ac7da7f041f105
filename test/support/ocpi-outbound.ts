/**
 * What the bridge writes toward an OCPI backend, checked against the specification's own limits: the
 * field lengths, patterns and enums of ../shared/spec/ocpi.md as the project's schemas carry them, in
 * the strict form the bridge must write (outboundSchema: original lengths, `...Z` DateTimes, character
 * sets), and for 2.1.1 also against the official 2.1.1 JSON Schemas (ocpi-tool's), which are not ours.
 * Flow scenes run every object of their backend traffic through ocpiOutboundErrors.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Connector, Connector211, Evse, Evse211, Location, Location211, outboundSchema, Tariff, Tariff211, type OcpiWriteVersion } from '../../src/ocpi/wire/schemas';
import {
  AuthorizationInfo,
  AuthorizationInfo211,
  CancelReservation,
  Cdr,
  Cdr211,
  CommandResponse,
  CommandResponse211,
  CommandResult,
  LocationReferences,
  ReserveNow,
  ReserveNow211,
  Session,
  Session211,
  StartSession,
  StartSession211,
  StopSession,
  Token,
  LocationReferences211,
  Token211,
  UnlockConnector,
} from '../../src/ocpi/wire/transaction-schemas';
import type { Finding } from '../../src/core/findings';
import { ocpi211Errors } from './ocpi-schema';

export type OutboundKind =
  | 'location'
  | 'evse'
  | 'connector'
  | 'tariff'
  | 'session'
  | 'cdr'
  | 'token'
  | 'authorization-info'
  | 'location-references'
  | 'command-response'
  | 'command-result'
  | 'start-session'
  | 'stop-session'
  | 'reserve-now'
  | 'cancel-reservation'
  | 'unlock-connector'
  | 'location-patch'
  | 'evse-patch'
  | 'connector-patch'
  | 'session-patch'
  | 'token-patch';

/** A PATCH body: any members of the object; 2.2.1 requires `last_updated` among them (§5.1). */
const patchOf = (schema: TObject, version: OcpiWriteVersion) => {
  const partial = Type.Partial(schema);
  return version === '2.2.1' ? Type.Object({ ...partial.properties, last_updated: schema.properties.last_updated! }) : partial;
};

/** The project's schema of each kind in each version; absent where the version has no such object. */
const SCHEMAS: Record<OcpiWriteVersion, Partial<Record<OutboundKind, TSchema>>> = {
  '2.2.1': {
    location: Location,
    evse: Evse,
    connector: Connector,
    tariff: Tariff,
    session: Session,
    cdr: Cdr,
    token: Token,
    'authorization-info': AuthorizationInfo,
    'location-references': LocationReferences,
    'command-response': CommandResponse,
    'command-result': CommandResult,
    'start-session': StartSession,
    'stop-session': StopSession,
    'reserve-now': ReserveNow,
    'cancel-reservation': CancelReservation,
    'unlock-connector': UnlockConnector,
    'location-patch': patchOf(Location, '2.2.1'),
    'evse-patch': patchOf(Evse, '2.2.1'),
    'connector-patch': patchOf(Connector, '2.2.1'),
    'session-patch': patchOf(Session, '2.2.1'),
    'token-patch': patchOf(Token, '2.2.1'),
  },
  '2.1.1': {
    location: Location211,
    evse: Evse211,
    connector: Connector211,
    tariff: Tariff211,
    session: Session211,
    cdr: Cdr211,
    token: Token211,
    'authorization-info': AuthorizationInfo211,
    'location-references': LocationReferences211,
    'command-response': CommandResponse211,
    // 2.1.1 posts its CommandResponse to the response_url as the result.
    'command-result': CommandResponse211,
    'start-session': StartSession211,
    'stop-session': StopSession,
    'reserve-now': ReserveNow211,
    'unlock-connector': UnlockConnector,
    'location-patch': patchOf(Location211, '2.1.1'),
    'evse-patch': patchOf(Evse211, '2.1.1'),
    'connector-patch': patchOf(Connector211, '2.1.1'),
    'session-patch': patchOf(Session211, '2.1.1'),
    'token-patch': patchOf(Token211, '2.1.1'),
  },
};

/** The official 2.1.1 schema file of each whole object it has one for. */
const OFFICIAL_211: Partial<Record<OutboundKind, string>> = {
  location: 'locations',
  evse: 'evse',
  connector: 'connector',
  tariff: 'tariffs',
  session: 'sessions',
  cdr: 'cdrs',
  token: 'tokens',
};

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

const described = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`);

/**
 * Why `object`, written by the bridge as `kind` in OCPI `version`, is not what the specification
 * allows; [] when it is. A kind the version does not have is itself an error.
 */
export function ocpiOutboundErrors(version: OcpiWriteVersion, kind: OutboundKind, object: unknown): string[] {
  const schema = SCHEMAS[version][kind];
  if (schema === undefined) return [`OCPI ${version} has no ${kind}`];
  const key = `${version} ${kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(outboundSchema(schema, version));
    compiled.set(key, validate);
  }
  const errors = validate(object) ? [] : described(validate.errors).map((e) => `spec limits: ${e}`);
  const official = version === '2.1.1' ? OFFICIAL_211[kind] : undefined;
  if (official !== undefined) errors.push(...ocpi211Errors(official, object).map((e) => `official 2.1.1 schema: ${e}`));
  return errors;
}

/**
 * A mapper whose every OCPI output is checked by ocpiOutboundErrors as the test calls it: a mapper test
 * imports the mapper through this, and each example it runs is also a check of the spec's limits.
 */
export function writesOcpi<A extends unknown[], T>(mapper: (...args: A) => { value: T; findings: unknown[] }, version: OcpiWriteVersion, kind: OutboundKind) {
  return (...args: A): { value: T; findings: Finding[] } => {
    const mapped = mapper(...args) as { value: T; findings: Finding[] };
    const values: unknown[] = mapped.value === undefined || mapped.value === null ? [] : Array.isArray(mapped.value) ? mapped.value : [mapped.value];
    for (const value of values) expect(ocpiOutboundErrors(version, kind, value)).toEqual([]);
    return mapped;
  };
}

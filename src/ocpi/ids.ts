/**
 * The ids an OCPI URL carries in its path (`{module}/{country_code}/{party_id}/{location_id}/...`),
 * checked against the spec's types before any handler sees them (../shared/spec/ocpi.md §2.9 and
 * each module's object table). 2.1.1 writes them as `string(n)`, 2.2.1 as `CiString(n)`: both are
 * printable ASCII, and neither admits control characters. Without this check a NUL or a line break
 * in an id was stored (PostgreSQL then failed with "invalid byte sequence", HTTP 500) and an id
 * longer than the spec allows reached the cache. A refusal is HTTP 400 with 2001 naming the field.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: party-id-letters-and-digits, http-400-for-malformed-ids (src/ocpi/errata.ts).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { OcpiError, type OcpiVersion } from './wire/transport';

/** One id's grammar: a pattern and a length per version. */
interface IdType {
  /** What the value must be made of, for the refusal's message. */
  what: string;
  pattern: RegExp;
  maxLength: Record<OcpiVersion, number>;
}

/** string(n) in 2.1.1, CiString(n) in 2.2.1: printable ASCII (space to tilde), 1 to n characters. */
const PRINTABLE = /^[\x20-\x7E]+$/;
const text = (v211: number, v221: number): IdType => ({ what: 'printable ASCII', pattern: PRINTABLE, maxLength: { '2.1.1': v211, '2.2.1': v221 } });

/**
 * Every id a module route names, by its route parameter. The owner's ids are fixed-length: an ISO
 * 3166 alpha-2 country, and a party id of three letters or digits (ISO 15118 / eMI3, as OICP's
 * OperatorID and ProviderID patterns also require: the bridge makes those ids from these).
 */
export const PATH_IDS: Record<string, IdType> = {
  country_code: { what: 'two letters (ISO 3166 alpha-2)', pattern: /^[A-Za-z]{2}$/, maxLength: { '2.1.1': 2, '2.2.1': 2 } },
  party_id: { what: 'three letters or digits', pattern: /^[A-Za-z0-9]{3}$/, maxLength: { '2.1.1': 3, '2.2.1': 3 } },
  location_id: text(39, 36),
  evse_uid: text(39, 36),
  connector_id: text(36, 36),
  session_id: text(36, 36),
  tariff_id: text(36, 36),
  token_uid: text(36, 36),
  // 2.2.1 leaves room for a credit CDR's suffix.
  cdr_id: text(36, 39),
  // The id in a response_url the bridge (or the simulator) handed out: a UUID.
  id: text(36, 36),
};

/** A refused value as the message quotes it: escaped, and cut short, since the URL may be kilobytes long. */
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** Why `value` is not a valid `name` in `version`, or undefined when it is. */
function pathIdProblem(name: string, value: string, version: OcpiVersion): string | undefined {
  const type = PATH_IDS[name];
  if (type === undefined) return undefined;
  const max = type.maxLength[version];
  if (!type.pattern.test(value)) return `${name}: must be ${type.what} (got ${shown(value)})`;
  if (value.length > max) return `${name}: at most ${max} characters in OCPI ${version} (got ${value.length})`;
  return undefined;
}

/** A URL's version as the OCPI router admitted it; 2.2.1's limits when the router has not (a module mounted elsewhere in a test). */
const versionOf = (req: Request): OcpiVersion => (req.params.version === '2.1.1' ? '2.1.1' : '2.2.1');

/**
 * The router a module's routes hang on, below `/ocpi/{version}/{module}`: it sees the parent's
 * parameters (the version), and every id of `PATH_IDS` in its paths is checked before the route runs.
 */
export function ocpiModuleRouter(): Router {
  const router = express.Router({ mergeParams: true });
  for (const name of Object.keys(PATH_IDS)) {
    router.param(name, (req: Request, _res: Response, next: NextFunction, value: unknown) => {
      const problem = pathIdProblem(name, String(value), versionOf(req));
      next(problem === undefined ? undefined : new OcpiError(2001, problem, 400));
    });
  }
  return router;
}

/**
 * Where the OCPI side of the bridge knowingly departs from the letter of OCPI 2.1.1 or 2.2.1: each
 * entry says what the document says, what the bridge does instead, why, and where. Plain data (no
 * behaviour); test/ocpi/errata.test.ts drives each entry's code and docs/errata.md explains them.
 * Gaps between OCPI and OICP the bridge fills are mapping decisions (docs/mapping.md), not errata.
 */
import type { Erratum } from '../core/errata';

export const OCPI_ERRATA = [
  {
    id: 'location-address-length',
    spec: {
      document: 'OCPI 2.2.1 (release)',
      section: 'Locations, Location and CdrLocation object: address',
      says: 'address is string(45); the 2.2.1 errata branch raised Location.address to string(255), CdrLocation kept 45',
    },
    bridge: 'reads Location.address and CdrLocation.address up to 255 characters and writes both cut to 45 (a loss finding)',
    why: 'peers following the errata send up to 255, and a CdrLocation copies its Location; a peer on the release text refuses more than 45, which every reader accepts',
    where: ['src/ocpi/wire/schemas.ts', 'src/ocpi/wire/transaction-schemas.ts', 'src/mapping/text-limits.ts'],
  },
  {
    id: 'location-state-length',
    spec: { document: 'OCPI 2.2.1 (release)', section: 'Locations, Location object: state', says: 'state is string(20); the 2.2.1 errata branch raised it to string(45)' },
    bridge: 'reads Location.state up to 45 characters and writes it cut to 20 (a loss finding)',
    why: 'as for the address: read what errata peers send, write what release peers accept',
    where: ['src/ocpi/wire/schemas.ts', 'src/mapping/text-limits.ts'],
  },
  {
    id: 'signed-value-plain-data-length',
    spec: { document: 'OCPI 2.2.1 (release)', section: 'CDRs, SignedValue class: plain_data', says: 'plain_data is string(512); the 2.2.1 errata branch raised it to string(5000)' },
    bridge: 'reads plain_data up to 5000 characters and writes its first 512 (a loss finding); signed_data keeps the whole container (up to 5000)',
    why: 'an OCMF document is longer than 512 characters; a verifier reads signed_data, and a release peer refuses a longer plain_data',
    where: ['src/ocpi/wire/transaction-schemas.ts', 'src/mapping/text-limits.ts'],
  },
  {
    id: 'status-codes-for-2-1-1',
    spec: {
      document: 'OCPI 2.2.1',
      section: 'Status codes (2xxx, 4xxx); Tokens, real-time authorization',
      says: 'an unknown token is answered 2004; a hub answers 4000-4003',
    },
    bridge: 'a 2.1.1 peer gets 2000 where 2.2.1 gives 2004, and 3000 where 2.2.1 gives a 4xxx code (HTTP status unchanged)',
    why: 'OCPI 2.1.1 defines neither 2004 nor the 4xxx hub codes; a 2.1.1 peer must get a code of its own version',
    where: ['src/ocpi/errors.ts', 'src/ocpi/sender.ts'],
  },
  {
    id: 'token-either-encoding',
    spec: {
      document: 'OCPI 2.2.1',
      section: 'Transport and format, Authorization header',
      says: 'Authorization: Token <Base64 of the credentials token>; the 2.2.1 examples Base64-encode the token with a trailing newline',
    },
    bridge:
      'accepts the token as written and Base64-decoded in both versions, the decoded form trimmed of the examples’ newline; as a client it sends plain to 2.1.1 and Base64 to 2.2.1 peers and tries the other form once on a 401',
    why: 'many 2.1.1 and 2.2 implementations never encoded the token (the 2.2.1-d2 text says so itself), and the examples carry an echo newline',
    where: ['src/ocpi/wire/transport.ts', 'src/ocpi/authentication.ts', 'src/ocpi/client.ts'],
  },
  {
    id: 'datetime-read-leniently',
    spec: {
      document: 'OCPI 2.2.1 (2.1.1 likewise)',
      section: 'Types, DateTime',
      says: 'UTC, `Z` or no designator, no fraction or 1 or 3 fraction digits; "other formats/patterns are not allowed"; +00:00 is not the same as UTC',
    },
    bridge: 'reads `+00:00` (and `-00:00`) as UTC and 1 to 9 fraction digits; writes `Z` with no or 3 fraction digits (2.2.1) and none (2.1.1)',
    why: 'peers write what their libraries produce (microseconds, +00:00); the instant is unambiguous, so refusing it would lose data',
    where: ['src/ocpi/wire/schemas.ts'],
  },
  {
    id: 'text-characters-read-leniently',
    spec: {
      document: 'OCPI 2.1.1 and 2.2.1',
      section: 'Types, string',
      says: '2.1.1 strings are printable ASCII only; 2.2.1 strings are printable UTF-8 without control characters (CR, LF, TAB)',
    },
    bridge:
      'reads free text in any Unicode, line breaks and tabs included, from either version; writes 2.2.1 text with control characters as spaces and 2.1.1 text transliterated to ASCII (Malmö -> Malmo), each a loss finding',
    why: 'a name or address with an accent or a line break is still the name; refusing the object would lose the location, and what is written is what a strict peer accepts',
    where: ['src/ocpi/wire/schemas.ts', 'src/mapping/text-limits.ts', 'src/mapping/ocpi-211/locations.ts'],
  },
  {
    id: 'coordinates-2-1-1-decimals',
    spec: { document: 'OCPI 2.1.1', section: 'Locations, GeoLocation class', says: 'latitude and longitude have exactly six decimals (`-?[0-9]{1,2}\\.[0-9]{6}`)' },
    bridge: 'reads five to seven decimals from a 2.1.1 peer (the 2.2.1 rule) and writes exactly six to it',
    why: 'coordinates read in 2.1.1 are raised to 2.2.1 anyway, and a position with five or seven decimals is still the same position',
    where: ['src/ocpi/wire/schemas.ts', 'src/mapping/ocpi-211/locations.ts'],
  },
  {
    id: 'version-2-1-is-2-1-1',
    spec: { document: 'OCPI 2.1.1', section: 'Versions module, VersionNumber', says: '`2.1` is a version of its own, deprecated ("do not use")' },
    bridge: 'reads a peer’s advertised `2.1` as 2.1.1 during registration',
    why: 'some 2.1.1 implementations advertise `2.1` for 2.1.1 (ocpi/ocpi issue #143); nobody speaks the deprecated 2.1',
    where: ['src/ocpi/wire/transport.ts', 'src/ocpi/registration.ts'],
  },
  {
    id: 'session-energy-in-wh',
    spec: { document: 'OCPI 2.2.1', section: 'Sessions, ChargingPeriod dimensions (CdrDimensionType ENERGY)', says: 'ENERGY volumes are kWh' },
    bridge: 'reads ENERGY volumes that add up to a thousand times the session’s kwh as Wh (a default finding)',
    why: 'the official examples (session_example_2_short_finished) write Wh, and peers copy them; the session total shows which unit was meant',
    where: ['src/mapping/session.ts'],
  },
  {
    id: 'party-id-letters-and-digits',
    spec: { document: 'OCPI 2.2.1 (2.1.1: string(3))', section: 'Types; every object’s party_id and the {party_id} of client-owned URLs', says: 'party_id is CiString(3): any three printable ASCII characters' },
    bridge: 'admits only three letters or digits, in URL paths and in bodies (2001 otherwise)',
    why: 'ISO 15118 / eMI3 party ids are three letters or digits, and the bridge makes Hubject’s OperatorID and ProviderID from them, whose patterns allow nothing else',
    where: ['src/ocpi/ids.ts', 'src/ocpi/wire/schemas.ts'],
  },
  {
    id: 'http-400-for-malformed-ids',
    spec: {
      document: 'OCPI 2.2.1 (2.1.1 likewise)',
      section: 'Transport and format, HTTP status codes',
      says: 'HTTP 400 is for a body that is not valid JSON; a request that reaches the OCPI layer is answered HTTP 200 with an OCPI status code (404 for an object that does not exist)',
    },
    bridge: 'answers HTTP 400 with 2001 an id in the URL path that breaks its type in the URL’s version (length, characters), before any handler runs',
    why: 'such an id cannot name any object; refusing it at the edge keeps control characters and over-long ids out of the store and the caches',
    where: ['src/ocpi/ids.ts'],
  },
] as const satisfies readonly Erratum[];

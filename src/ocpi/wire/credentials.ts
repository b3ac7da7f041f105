/**
 * The configuration modules' wire objects (Versions and Credentials, ../shared/spec/ocpi.md §3) in
 * both versions, and their conversion to the parties the store keeps. 2.2.1 credentials carry a
 * list of roles; 2.1.1 credentials name one party and no role: a 2.1.1 connection is one party in
 * one role, the counterpart of ours.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../core/typebox';
import { BusinessDetails } from './schemas';
import type { OcpiVersion } from './transport';

export const ROLES = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'] as const;
const INTERFACE_ROLES = ['SENDER', 'RECEIVER'] as const;

/** Printable ASCII without spaces, at most 64 (both versions); in 2.2.1 credentials it is never Base64. */
const CredentialsToken = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7E]+$' });
const Url = Type.String({ minLength: 1, maxLength: 255, pattern: '^https?://' });
const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$' });
const PartyId = Type.String({ pattern: '^[A-Za-z0-9]{3}$' });

export const CredentialsRole = Type.Object({ role: StringEnum(ROLES), business_details: BusinessDetails, party_id: PartyId, country_code: CountryCode });
export const Credentials = Type.Object({ token: CredentialsToken, url: Url, roles: Type.Array(CredentialsRole, { minItems: 1 }) });
export type Credentials = Static<typeof Credentials>;
export const Credentials211 = Type.Object({ token: CredentialsToken, url: Url, business_details: BusinessDetails, party_id: PartyId, country_code: CountryCode });
export type Credentials211 = Static<typeof Credentials211>;

export const Version = Type.Object({ version: Type.String({ minLength: 1 }), url: Url });
export type Version = Static<typeof Version>;
export const Endpoint = Type.Object({ identifier: Type.String({ minLength: 1 }), role: Type.Optional(StringEnum(INTERFACE_ROLES)), url: Url });
export const VersionDetails = Type.Object({ version: Type.String({ minLength: 1 }), endpoints: Type.Array(Endpoint, { minItems: 1 }) });
export type VersionDetails = Static<typeof VersionDetails>;

/** The role among `roles` of the party `who` names (country code and party id as stored: upper case), if any. */
export function roleOf(roles: readonly OcpiPartyRole[], who: { countryCode?: string; partyId?: string }): OcpiPartyRole | undefined {
  return roles.find((r) => r.countryCode === who.countryCode && r.partyId === who.partyId);
}

/** What one side of a connection says about itself, whatever the version. */
export interface PartyCredentials {
  token: string;
  url: string;
  roles: OcpiPartyRole[];
}

export const credentialsSchema = (version: OcpiVersion) => (version === '2.1.1' ? Credentials211 : Credentials);

/** The counterpart role a 2.1.1 peer plays toward us: it has no way to say. */
const COUNTERPART: Readonly<Record<string, string>> = { CPO: 'EMSP', EMSP: 'CPO', HUB: 'CPO' };

function businessDetails(role: OcpiPartyRole): BusinessDetails {
  return { name: role.businessDetails?.name ?? `${role.countryCode}*${role.partyId}`, ...(role.businessDetails?.website === undefined ? {} : { website: role.businessDetails.website }) };
}

/** Our credentials as the version writes them; 2.1.1 names the first of our roles. */
export function writeCredentials(version: OcpiVersion, own: PartyCredentials): Credentials | Credentials211 {
  const roles = own.roles.map((role) => ({ role: role.role as (typeof ROLES)[number], business_details: businessDetails(role), party_id: role.partyId, country_code: role.countryCode }));
  if (version !== '2.1.1') return { token: own.token, url: own.url, roles };
  const first = roles[0]!;
  return { token: own.token, url: own.url, business_details: first.business_details, party_id: first.party_id, country_code: first.country_code };
}

/** A peer's (already validated) credentials; a 2.1.1 peer is given the counterpart of `ourRole`. */
export function readCredentials(version: OcpiVersion, body: Credentials | Credentials211, ourRole: string): PartyCredentials {
  const role = (r: { business_details: BusinessDetails; party_id: string; country_code: string }, name: string): OcpiPartyRole => ({
    role: name,
    countryCode: r.country_code.toUpperCase(),
    partyId: r.party_id.toUpperCase(),
    businessDetails: { name: r.business_details.name, ...(r.business_details.website === undefined ? {} : { website: r.business_details.website }) },
  });
  if (version === '2.1.1' || !('roles' in body)) return { token: body.token, url: body.url, roles: [role(body as Credentials211, COUNTERPART[ourRole] ?? 'OTHER')] };
  return { token: body.token, url: body.url, roles: body.roles.map((r) => role(r, r.role)) };
}

/** Version details as the version writes them: 2.1.1 endpoints have no interface role. */
export function writeVersionDetails(version: OcpiVersion, endpoints: OcpiEndpoint[]): VersionDetails {
  return { version, endpoints: endpoints.map((e) => (version === '2.1.1' ? { identifier: e.identifier, url: e.url } : { identifier: e.identifier, ...(e.role === undefined ? {} : { role: e.role as (typeof INTERFACE_ROLES)[number] }), url: e.url })) };
}

export interface OcpiPartyRole {
  role: string;
  countryCode: string;
  partyId: string;
  businessDetails?: { name: string; website?: string };
}

export interface OcpiEndpoint {
  identifier: string;
  /** SENDER or RECEIVER; absent in OCPI 2.1.1. */
  role?: string;
  url: string;
}

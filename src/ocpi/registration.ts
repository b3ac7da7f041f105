/**
 * The credentials handshake (../shared/spec/ocpi.md §3.3-3.4) on both sides, both versions. As
 * initiator the bridge is given the peer's versions URL and token A, picks the highest common
 * version, sends its credentials with a fresh token B and keeps the peer's token C. As receiver it
 * issues token A, fetches the registering peer's versions with the token B it sent, and answers
 * with a fresh token C. Updates rotate tokens with an overlap, so requests in flight with the old
 * token still pass; unregistering ends every token at once.
 *
 * Naming: `inbound` tokens are the ones peers present to us (stored hashed); the `outbound` token
 * is the one we present to a peer (kept, never logged).
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: version-2-1-is-2-1-1 (src/ocpi/errata.ts).
import { randomBytes } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Logger } from '../observability/logger';
import { check } from '../core/typebox';
import type { OcpiParty, PartyRepository, TokenRepository } from '../store/credentials';
import type { OcpiEndpoint, OcpiPartyRole } from './wire/credentials';
import type { OcpiClient, OcpiRequest, OcpiResponse } from './client';
import { Version, VersionDetails, credentialsSchema, readCredentials, writeCredentials, type Credentials, type Credentials211, type PartyCredentials } from './wire/credentials';
import { OCPI_VERSIONS, OcpiError, bodyAs, defaultEncoding, knownVersion, type OcpiVersion, type TokenEncoding } from './wire/transport';

interface RegistrationOptions {
  parties: PartyRepository;
  tokens: TokenRepository;
  client: OcpiClient;
  logger: Logger;
  /** Our versions URL, as peers reach it (known once the server listens). */
  versionsUrl: () => string;
  roles: OcpiPartyRole[];
  versions: readonly OcpiVersion[];
  /** How long a replaced token keeps working after an update. */
  tokenOverlapMs: number;
  now?: () => number;
}

/**
 * A new credentials token: 256 random bits as 64 hex digits, the most OCPI allows. Hex, not
 * base64url, because an operator pastes token A on a command line: a token starting with "-"
 * reads as an option there, and "-"/"_" break double-click selection.
 */
export const newToken = (): string => randomBytes(32).toString('hex');

/** A refusal of our own handshake call: what failed, in words an operator can act on. */
export class RegistrationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationFailed';
  }
}

const VersionList = Type.Array(Version);

/** The highest version both sides speak, from a peer's version list. */
export function negotiateVersion(theirs: readonly Version[], ours: readonly OcpiVersion[]): { version: OcpiVersion; url: string } | undefined {
  for (const version of [...OCPI_VERSIONS].reverse()) {
    if (!ours.includes(version)) continue;
    const offered = theirs.find((v) => knownVersion(v.version) === version);
    if (offered) return { version, url: offered.url };
  }
  return undefined;
}

export class Registration {
  private readonly now: () => number;

  /** Our registrations with peers still in their handshake in this process, by party: see `settled`. */
  private readonly handshakes = new Map<string, Promise<OcpiParty | undefined>>();

  constructor(private readonly options: RegistrationOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Our credentials for a peer, with the token it uses on us (2.1.1 peers see our first role). */
  private ours(version: OcpiVersion, token: string): Credentials | Credentials211 {
    return writeCredentials(version, { token, url: this.options.versionsUrl(), roles: this.options.roles });
  }

  /**
   * A one-time registration token (token A) for a peer to register with us; the peer is created as
   * `offered`, or an unregistered one offered again. A registered peer updates instead.
   */
  async offer(partyId: string): Promise<string> {
    const existing = await this.options.parties.get(partyId);
    if (existing?.state === 'registered') throw new RegistrationFailed(`${partyId} is registered; it rotates its token with a credentials PUT`);
    await this.options.parties.save({ id: partyId, state: 'offered', version: null, versionsUrl: null, roles: [], endpoints: [], outboundToken: null });
    const token = newToken();
    await this.options.tokens.issue({ party: partyId, purpose: 'registration', token });
    return token;
  }

  // ---- as initiator ----

  /** Registers with the peer at `versionsUrl` using its token A. */
  async register(partyId: string, versionsUrl: string, tokenA: string): Promise<OcpiParty> {
    const handshake = this.handshake(partyId, versionsUrl, tokenA);
    this.handshakes.set(partyId, handshake.catch(() => undefined));
    try {
      return await handshake;
    } finally {
      this.handshakes.delete(partyId);
    }
  }

  /**
   * The party as our registration in flight with it left it (undefined when none is in flight, or it
   * failed). The peer may call with our token as soon as it has answered our credentials POST, before
   * we have stored it as registered: a request that finds the party still `offered` waits for this
   * instead of being refused as not registered.
   */
  settled(partyId: string): Promise<OcpiParty | undefined> | undefined {
    return this.handshakes.get(partyId);
  }

  private async handshake(partyId: string, versionsUrl: string, tokenA: string): Promise<OcpiParty> {
    const existing = await this.options.parties.get(partyId);
    if (existing?.state === 'registered') throw new RegistrationFailed(`${partyId} is already registered (version ${existing.version}); use update`);
    const { version, endpoints, encoding } = await this.discover(versionsUrl, tokenA);
    await this.options.parties.save({ id: partyId, state: 'offered', version, versionsUrl, roles: existing?.roles ?? [], endpoints, outboundToken: null });
    const tokenB = newToken();
    await this.options.tokens.issue({ party: partyId, purpose: 'access', token: tokenB });
    try {
      const theirs = await this.exchangeCredentials('POST', version, endpoints, tokenA, encoding, tokenB);
      await this.options.tokens.expire(partyId, 'access', this.now(), tokenB);
      return await this.options.parties.save({ id: partyId, state: 'registered', version, versionsUrl: theirs.url, roles: theirs.roles, endpoints, outboundToken: theirs.token });
    } catch (err) {
      await this.options.tokens.revoke(tokenB);
      throw err;
    }
  }

  /**
   * Updates a registration: fetches the peer's versions again (a version upgrade lands here), sends
   * a new token B and takes its new token C. The old token B keeps working for the overlap.
   */
  async update(partyId: string): Promise<OcpiParty> {
    const party = await this.registered(partyId);
    const { version, endpoints, encoding } = await this.discover(party.versionsUrl!, party.outboundToken!);
    const tokenB = newToken();
    await this.options.tokens.issue({ party: partyId, purpose: 'access', token: tokenB });
    try {
      const theirs = await this.exchangeCredentials('PUT', version, endpoints, party.outboundToken!, encoding, tokenB);
      await this.options.tokens.expire(partyId, 'access', this.now() + this.options.tokenOverlapMs, tokenB);
      return await this.options.parties.save({ ...party, version, versionsUrl: theirs.url, roles: theirs.roles, endpoints, outboundToken: theirs.token });
    } catch (err) {
      await this.options.tokens.revoke(tokenB);
      throw err;
    }
  }

  /** Unregisters from the peer (credentials DELETE); our side forgets it even when the peer cannot be reached. */
  async unregister(partyId: string): Promise<{ peerAnswered: boolean; message?: string }> {
    const party = await this.registered(partyId);
    const url = endpointUrl(party.endpoints, 'credentials');
    const answer = url ? await this.options.client.call({ method: 'DELETE', url, token: party.outboundToken!, encoding: defaultEncoding(party.version as OcpiVersion) }) : undefined;
    await this.forget(partyId);
    if (answer?.ok) return { peerAnswered: true };
    return { peerAnswered: false, message: answer === undefined ? 'the peer lists no credentials endpoint' : answer.failure.message };
  }

  /** The peer's versions and the details of the highest common one, with the token encoding it accepted. */
  private async discover(versionsUrl: string, token: string): Promise<{ version: OcpiVersion; endpoints: OcpiEndpoint[]; encoding: TokenEncoding }> {
    // The versions list is version-neutral: the plain form first, Base64 on a 401 (the client retries).
    const list = await this.fetch({ method: 'GET', url: versionsUrl, token, encoding: 'plain' }, 'versions');
    const versions = this.valid(VersionList, list.data, `versions at ${versionsUrl}`);
    const chosen = negotiateVersion(versions, this.options.versions);
    if (!chosen) throw new RegistrationFailed(`no common OCPI version: ${versionsUrl} offers ${versions.map((v) => v.version).join(', ') || 'none'}, we speak ${this.options.versions.join(', ')}`);
    const details = await this.fetch({ method: 'GET', url: chosen.url, token, encoding: defaultEncoding(chosen.version) }, `version ${chosen.version} details`);
    const { endpoints } = this.valid(VersionDetails, details.data, `version ${chosen.version} details at ${chosen.url}`);
    if (!endpointUrl(endpoints, 'credentials')) throw new RegistrationFailed(`version ${chosen.version} details at ${chosen.url} list no credentials endpoint`);
    return { version: chosen.version, endpoints, encoding: details.encoding };
  }

  private async exchangeCredentials(method: 'POST' | 'PUT', version: OcpiVersion, endpoints: OcpiEndpoint[], token: string, encoding: TokenEncoding, tokenB: string): Promise<PartyCredentials> {
    const answer = await this.fetch({ method, url: endpointUrl(endpoints, 'credentials')!, token, encoding, body: this.ours(version, tokenB) }, `credentials ${method}`);
    const body = this.valid(credentialsSchema(version), answer.data, `credentials answered to our ${method}`);
    return readCredentials(version, body, this.options.roles[0]?.role ?? 'OTHER');
  }

  private async fetch(request: OcpiRequest, what: string): Promise<Extract<OcpiResponse, { ok: true }>> {
    const answer = await this.options.client.call(request);
    if (!answer.ok) throw new RegistrationFailed(`${what}: ${answer.failure.message}`);
    return answer;
  }

  private valid<S extends TSchema>(schema: S, data: unknown, what: string): Static<S> {
    const checked = check(schema, data);
    if (checked.findings.length > 0) throw new RegistrationFailed(`${what} are not valid: ${checked.findings.map((f) => `${f.path || '(root)'} ${f.message}`).join('; ')}`);
    return checked.value;
  }

  private async registered(partyId: string): Promise<OcpiParty> {
    const party = await this.options.parties.get(partyId);
    if (party?.state !== 'registered' || party.outboundToken === null || party.versionsUrl === null) throw new RegistrationFailed(`${partyId} is not registered`);
    return party;
  }

  // ---- as receiver ----

  /** Our credentials for a caller (credentials GET): with the token it uses on us, the one it presented. */
  credentialsFor(version: OcpiVersion, presented: string): Credentials | Credentials211 {
    return this.ours(version, presented);
  }

  /**
   * A peer's credentials POST (with token A) or PUT (with its access token), at `version` (the
   * endpoint it called). Fetches the peer's versions with the token it sent, then answers with our
   * credentials carrying a new token C.
   */
  async accept(partyId: string, method: 'POST' | 'PUT', version: OcpiVersion, body: unknown): Promise<Credentials | Credentials211> {
    const party = await this.options.parties.get(partyId);
    // HTTP 405 for a POST when registered and a PUT when not (§3.3).
    if (method === 'POST' && party?.state === 'registered') throw new OcpiError(2000, 'already registered: update with PUT, or DELETE first', 405);
    if (method === 'PUT' && party?.state !== 'registered') throw new OcpiError(2000, 'not registered: register with POST', 405);
    const theirs = readCredentials(version, bodyAs(credentialsSchema(version), body, 'credentials'), this.options.roles[0]?.role ?? 'OTHER');
    const endpoints = await this.fetchBack(theirs, version);
    if (method === 'POST') await this.options.tokens.expire(partyId, 'registration');
    else await this.options.tokens.expire(partyId, 'access', this.now() + this.options.tokenOverlapMs);
    const tokenC = newToken();
    await this.options.tokens.issue({ party: partyId, purpose: 'access', token: tokenC });
    await this.options.parties.save({ id: partyId, state: 'registered', version, versionsUrl: theirs.url, roles: theirs.roles, endpoints, outboundToken: theirs.token });
    this.options.logger.info('ocpi party registered', { party: partyId, version, method, roles: theirs.roles.map((r) => `${r.countryCode}*${r.partyId} ${r.role}`) });
    return this.ours(version, tokenC);
  }

  /** The registering peer's endpoints at `version`, fetched with its token B: 3001 when unreachable, 3002 without that version, 3003 without credentials. */
  private async fetchBack(theirs: PartyCredentials, version: OcpiVersion): Promise<OcpiEndpoint[]> {
    const list = await this.options.client.call({ method: 'GET', url: theirs.url, token: theirs.token, encoding: defaultEncoding(version) });
    if (!list.ok) throw new OcpiError(3001, `could not read your versions at ${theirs.url}: ${list.failure.message}`);
    const versions = check(VersionList, list.data);
    if (versions.findings.length > 0) throw new OcpiError(3001, `your versions at ${theirs.url} are not a list of versions`);
    const offered = versions.value.find((v) => knownVersion(v.version) === version);
    if (!offered) throw new OcpiError(3002, `your versions at ${theirs.url} do not include ${version}, the version of the credentials endpoint you called`);
    const details = await this.options.client.call({ method: 'GET', url: offered.url, token: theirs.token, encoding: list.encoding });
    if (!details.ok) throw new OcpiError(3001, `could not read your version ${version} details at ${offered.url}: ${details.failure.message}`);
    const checked = check(VersionDetails, details.data);
    if (checked.findings.length > 0) throw new OcpiError(3001, `your version ${version} details are not valid: ${checked.findings.map((f) => `${f.path} ${f.message}`).join('; ')}`);
    if (!endpointUrl(checked.value.endpoints, 'credentials')) throw new OcpiError(3003, `your version ${version} details list no credentials endpoint`);
    return checked.value.endpoints;
  }

  /** The peer unregistered (credentials DELETE), or we did: every token ends now. */
  async forget(partyId: string): Promise<void> {
    const party = await this.options.parties.get(partyId);
    if (party?.state !== 'registered') throw new OcpiError(2000, 'not registered', 405);
    await this.options.tokens.expire(partyId, 'access');
    await this.options.parties.save({ ...party, state: 'unregistered', outboundToken: null });
    this.options.logger.info('ocpi party unregistered', { party: partyId });
  }
}

function endpointUrl(endpoints: readonly OcpiEndpoint[], identifier: string): string | undefined {
  return endpoints.find((e) => e.identifier === identifier)?.url;
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { SqlExecutor } from './sql';
import type { OcpiEndpoint, OcpiPartyRole } from '../ocpi/wire/credentials';

/** Where a registration with one OCPI peer stands. */
type PartyState = 'offered' | 'registered' | 'unregistered';

/** One OCPI peer of the bridge and what the credentials handshake established with it. */
export interface OcpiParty {
  id: string;
  state: PartyState;
  version: string | null;
  versionsUrl: string | null;
  roles: OcpiPartyRole[];
  endpoints: OcpiEndpoint[];
  /** The token we present to this peer. Kept in clear because we must send it; never logged. */
  outboundToken: string | null;
  createdAt: number;
  updatedAt: number;
}

export type PartyInput = Omit<OcpiParty, 'createdAt' | 'updatedAt'>;

/** registration: a one-time token A; access: a token the peer uses on the functional modules. */
export type TokenPurpose = 'registration' | 'access';

/** A presented token that is known and not expired: whose it is, what for, and that party as stored when the token was read. */
export interface VerifiedToken {
  party: string;
  purpose: TokenPurpose;
  holder: OcpiParty;
}

interface PartyRow {
  id: string;
  state: PartyState;
  version: string | null;
  versions_url: string | null;
  roles: string;
  endpoints: string;
  outbound_token: string | null;
  created_at: number;
  updated_at: number;
}

export class PartyRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly tenant: string,
    private readonly now: () => number,
  ) {}

  async save(party: PartyInput): Promise<OcpiParty> {
    const at = this.now();
    await this.db.run(
      `INSERT INTO ocpi_parties (tenant, id, state, version, versions_url, roles, endpoints, outbound_token, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (tenant, id) DO UPDATE SET state = excluded.state, version = excluded.version, versions_url = excluded.versions_url,
         roles = excluded.roles, endpoints = excluded.endpoints, outbound_token = excluded.outbound_token, updated_at = excluded.updated_at`,
      [this.tenant, party.id, party.state, party.version, party.versionsUrl, JSON.stringify(party.roles), JSON.stringify(party.endpoints), party.outboundToken, at],
    );
    return (await this.get(party.id))!;
  }

  async get(id: string): Promise<OcpiParty | undefined> {
    const [row] = await this.db.all<PartyRow>('SELECT * FROM ocpi_parties WHERE tenant = $1 AND id = $2', [this.tenant, id]);
    return row && toParty(row);
  }

  async list(): Promise<OcpiParty[]> {
    return (await this.db.all<PartyRow>('SELECT * FROM ocpi_parties WHERE tenant = $1 ORDER BY created_at, id', [this.tenant])).map(toParty);
  }

  /** Removes the party and, with it, every token it could use. */
  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM ocpi_parties WHERE tenant = $1 AND id = $2', [this.tenant, id])) === 1;
  }
}

function toParty(row: PartyRow): OcpiParty {
  return {
    id: row.id,
    state: row.state,
    version: row.version,
    versionsUrl: row.versions_url,
    roles: JSON.parse(row.roles) as OcpiPartyRole[],
    endpoints: JSON.parse(row.endpoints) as OcpiEndpoint[],
    outboundToken: row.outbound_token,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Tokens peers present to us. Only their SHA-256 is stored: a leaked database yields no usable
 * token. Tokens are long random strings, so a fast hash is enough (no dictionary to guard against).
 */
export class TokenRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly tenant: string,
    private readonly now: () => number,
  ) {}

  async issue(request: { party: string; purpose: TokenPurpose; token: string; expiresAt?: number }): Promise<void> {
    await this.db.run('INSERT INTO ocpi_tokens (tenant, token_hash, party, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      this.tenant,
      hashToken(request.token),
      request.party,
      request.purpose,
      request.expiresAt ?? null,
      this.now(),
    ]);
  }

  /**
   * The party and purpose of a presented token, if it is known and not expired, with its party as
   * stored at that moment: one read for both, so a request's token and party cost one round trip and
   * come from the same snapshot. Every token has its party (deleted with it).
   */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    const presented = hashToken(token);
    const [row] = await this.db.all<PartyRow & { token_hash: string; purpose: TokenPurpose; expires_at: number | null }>(
      `SELECT t.token_hash, t.purpose, t.expires_at, p.* FROM ocpi_tokens t JOIN ocpi_parties p ON p.tenant = t.tenant AND p.id = t.party
       WHERE t.tenant = $1 AND t.token_hash = $2`,
      [this.tenant, presented],
    );
    // The lookup keys on a hash the caller cannot steer, so its timing says nothing about the token;
    // the final comparison is constant-time anyway so the rule holds without that argument.
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(presented, 'hex'))) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.now()) return undefined;
    return { party: row.id, purpose: row.purpose, holder: toParty(row) };
  }

  /**
   * Ends a party's tokens of one purpose at `at` (default now): with a later time the old token keeps
   * working for an overlap while the peer switches to its new one. `keep` (the new token) is spared.
   */
  async expire(party: string, purpose: TokenPurpose, at: number = this.now(), keep?: string): Promise<number> {
    return this.db.run(
      'UPDATE ocpi_tokens SET expires_at = $1 WHERE tenant = $2 AND party = $3 AND purpose = $4 AND (expires_at IS NULL OR expires_at > $1) AND token_hash <> $5',
      [at, this.tenant, party, purpose, keep === undefined ? '' : hashToken(keep)],
    );
  }

  /** Deletes tokens that stopped working before `before` (rotated, revoked, spent registration tokens); returns how many. */
  async purgeExpired(before: number): Promise<number> {
    return this.db.run('DELETE FROM ocpi_tokens WHERE tenant = $1 AND expires_at IS NOT NULL AND expires_at < $2', [this.tenant, before]);
  }

  /** Ends one token now (a token handed out in a handshake that then failed). */
  async revoke(token: string): Promise<void> {
    await this.db.run('UPDATE ocpi_tokens SET expires_at = $1 WHERE tenant = $2 AND token_hash = $3', [this.now(), this.tenant, hashToken(token)]);
  }
}

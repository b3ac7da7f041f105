/**
 * A registered OCPI peer as the flows call it: its modules by name, in its version. Objects go out
 * as canonical 2.2.1 and are written in 2.1.1 for a 2.1.1 peer; lists come back page by page raised
 * to 2.2.1. Every call says what the conversion could not carry, and fails typed (OcpiFailure)
 * rather than throwing; only list pages throw (OcpiCallError), being an iterator.
 */
import { FindingLog, type Finding, type Mapped } from '../core/findings';
import { check } from '../core/typebox';
import type { OcpiParty } from '../store/credentials';
import type { OcpiPartyRole } from './wire/credentials';
import { OcpiCallError, type ListFilter, type OcpiClient, type OcpiFailure, type OcpiRequest, type PartyKey } from './client';
import type { CommandType } from './commands';
import { asCanonical, RECEIVER_MODULES, type ModuleOptions } from './receiver';
import { SENDER_MODULES, type SenderModuleId } from './sender';
import { Cdr, CommandResponse, type CommandResult } from './wire/transaction-schemas';
import { cdr211To221, commandResult221To211, reserveNow221To211, sessionPatch221To211, startSession221To211, tokenPatch221To211 } from '../mapping/ocpi-211/transactions';
import { asciiDown, locationPatch221To211 } from '../mapping/ocpi-211/locations';
import { defaultEncoding, type OcpiVersion } from './wire/transport';

/** A 2.2.1 PATCH body as the 2.1.1 module at `ids` reads it (locations: 1 id location, 2 EVSE, 3 connector). */
function patchDown(module: keyof typeof RECEIVER_MODULES, ids: readonly string[], changes: Record<string, unknown>): Mapped<Record<string, unknown>> {
  if (module === 'locations') return locationPatch221To211((['location', 'evse', 'connector'] as const)[ids.length - 1] ?? 'connector', changes);
  if (module === 'sessions') return sessionPatch221To211(changes);
  if (module === 'tokens') return tokenPatch221To211(changes);
  const log = new FindingLog();
  return log.result(asciiDown(changes, '', log));
}

export type PeerResult<T = undefined> = { ok: true; value: T; findings: Finding[] } | { ok: false; failure: OcpiFailure; findings: Finding[] };

/** A conversion that could not produce anything: nothing was sent. */
const unsendable = (what: string, findings: Finding[]): PeerResult<never> => ({
  ok: false,
  failure: { kind: 'invalid-response', httpStatus: 0, message: `${what} cannot be written in this peer's OCPI version: ${findings.map((f) => `${f.path} ${f.message}`).join('; ')}` },
  findings,
});

/** The level of a client-owned object by how many ids its address has (locations: 1 location, 2 EVSE, 3 connector). */
const levelOf = (module: keyof typeof RECEIVER_MODULES, ids: readonly string[]) => RECEIVER_MODULES[module].levels[ids.length - 1];

export class OcpiPeer {
  readonly version: OcpiVersion;

  constructor(
    private readonly party: OcpiParty,
    private readonly client: OcpiClient,
    private readonly us: OcpiPartyRole,
    private readonly options: ModuleOptions = {},
  ) {
    if (party.state !== 'registered' || party.outboundToken === null || party.version === null) throw new Error(`${party.id} is not registered`);
    this.version = party.version as OcpiVersion;
  }

  /** The peer's URL for a module interface; 2.1.1 lists one URL per module. */
  endpoint(module: string, role: 'SENDER' | 'RECEIVER'): string | undefined {
    const candidates = this.party.endpoints.filter((e) => e.identifier === module);
    return (candidates.find((e) => e.role === role) ?? candidates.find((e) => e.role === undefined))?.url;
  }

  private request(method: OcpiRequest['method'], url: string, body?: unknown): OcpiRequest {
    const them: PartyKey | undefined = this.party.roles[0];
    return {
      method,
      url,
      token: this.party.outboundToken!,
      encoding: defaultEncoding(this.version),
      body,
      ...(this.version === '2.2.1' && them && { routing: { from: { countryCode: this.us.countryCode, partyId: this.us.partyId }, to: them } }),
    };
  }

  private async send<T>(request: OcpiRequest, findings: Finding[], read: (data: unknown) => T): Promise<PeerResult<T>> {
    const answer = await this.client.call(request);
    return answer.ok ? { ok: true, value: read(answer.data), findings } : { ok: false, failure: answer.failure, findings };
  }

  private missing(module: string, role: string): { ok: false; failure: OcpiFailure; findings: Finding[] } {
    return { ok: false, failure: { kind: 'invalid-response', httpStatus: 0, message: `${this.party.id} lists no ${module} ${role} endpoint` }, findings: [] };
  }

  /** PUT of a client-owned object at `{module}/{country_code}/{party_id}/{ids...}`, written in the peer's version. */
  async put(module: keyof typeof RECEIVER_MODULES, owner: PartyKey, ids: string[], object: unknown): Promise<PeerResult> {
    const url = this.endpoint(module, 'RECEIVER');
    const level = levelOf(module, ids);
    if (url === undefined || level === undefined) return this.missing(module, 'RECEIVER');
    let body = object;
    let findings: Finding[] = [];
    if (this.version === '2.1.1') {
      const down = await level.down(object, { countryCode: owner.countryCode, partyId: owner.partyId, ids }, this.options);
      if (down.value === undefined) return unsendable(level.name, down.findings);
      ({ value: body, findings } = down);
    }
    return this.send(this.request('PUT', this.objectUrl(url, module, owner, ids, (object as { type?: string }).type), body), findings, () => undefined);
  }

  /**
   * PATCH of changed members; 2.2.1 needs `last_updated` among them. Tokens other than RFID name their
   * type. A 2.1.1 peer gets the members under 2.1.1 names, in its character set and DateTime form.
   */
  patch(module: keyof typeof RECEIVER_MODULES, owner: PartyKey, ids: string[], changes: Record<string, unknown>, tokenType?: string): Promise<PeerResult> {
    const url = this.endpoint(module, 'RECEIVER');
    if (url === undefined) return Promise.resolve(this.missing(module, 'RECEIVER'));
    const { value: body, findings } = this.version === '2.1.1' ? patchDown(module, ids, changes) : { value: changes, findings: [] };
    return this.send(this.request('PATCH', this.objectUrl(url, module, owner, ids, tokenType), body), findings, () => undefined);
  }

  /** DELETE of a client-owned tariff (the only object OCPI lets its owner delete). */
  delete(module: 'tariffs', owner: PartyKey, ids: string[]): Promise<PeerResult> {
    const url = this.endpoint(module, 'RECEIVER');
    if (url === undefined) return Promise.resolve(this.missing(module, 'RECEIVER'));
    return this.send(this.request('DELETE', this.objectUrl(url, module, owner, ids)), [], () => undefined);
  }

  /** A client-owned object's URL; 2.2.1 tokens carry their type as a query parameter. */
  private objectUrl(base: string, module: string, owner: PartyKey, ids: string[], tokenType?: string): string {
    const path = `${base}/${[owner.countryCode, owner.partyId, ...ids].map(encodeURIComponent).join('/')}`;
    return module === 'tokens' && this.version === '2.2.1' && tokenType !== undefined ? `${path}?type=${encodeURIComponent(tokenType)}` : path;
  }

  /** Real-time authorization of a token at its eMSP (the answer as the peer's version writes it). */
  authorize(uid: string, tokenType: string, location?: { location_id: string; evse_uids?: string[] }): Promise<PeerResult<unknown>> {
    const url = this.endpoint('tokens', 'SENDER');
    if (url === undefined) return Promise.resolve(this.missing('tokens', 'SENDER'));
    const query = this.version === '2.2.1' ? `?type=${encodeURIComponent(tokenType)}` : '';
    return this.send(this.request('POST', `${url}/${encodeURIComponent(uid)}/authorize${query}`, location), [], (data) => data);
  }

  /** Every object of a peer's list, raised to 2.2.1; objects that cannot be are reported to `skipped` and left out. */
  async *pull(module: SenderModuleId, filter: ListFilter = {}, skipped?: (findings: Finding[]) => void): AsyncGenerator<unknown> {
    const url = this.endpoint(module, 'SENDER');
    if (url === undefined) throw new OcpiCallError(this.missing(module, 'SENDER').failure);
    const { routing, token, encoding } = this.request('GET', url);
    for await (const item of this.client.list<unknown>({ url, token, encoding, routing }, filter)) {
      const raised = await this.raise(module, item);
      if (raised.value === undefined) skipped?.(raised.findings);
      else yield raised.value;
    }
  }

  private async raise(module: SenderModuleId, item: unknown): Promise<Mapped<unknown>> {
    const schema = module === 'cdrs' ? Cdr : RECEIVER_MODULES[module].levels[0]!.schema;
    if (this.version !== '2.1.1') return asCanonical(schema, { value: item, findings: [] });
    const owner = this.party.roles[0];
    if (module === 'cdrs') {
      const authId = (item as { auth_id?: unknown } | null)?.auth_id;
      return asCanonical(schema, cdr211To221(item, { party: owner, token: typeof authId === 'string' ? await this.options.tokenOf?.(authId) : undefined }));
    }
    return asCanonical(schema, await RECEIVER_MODULES[module].levels[0]!.up(item, { countryCode: owner?.countryCode ?? '', partyId: owner?.partyId ?? '', ids: [] }, this.options));
  }

  /** Sends a command to a CPO; the result comes later to the command's response_url. */
  async command(type: CommandType, command: unknown): Promise<PeerResult<CommandResponse>> {
    const url = this.endpoint('commands', 'RECEIVER');
    if (url === undefined) return this.missing('commands', 'RECEIVER');
    let body = command;
    let findings: Finding[] = [];
    if (this.version === '2.1.1') {
      const down = type === 'START_SESSION' ? startSession221To211(command) : type === 'RESERVE_NOW' ? reserveNow221To211(command) : { value: type === 'CANCEL_RESERVATION' ? undefined : command, findings: [] };
      if (down.value === undefined) return unsendable(type, down.findings.length > 0 ? down.findings : [{ kind: 'loss', path: '', message: `2.1.1 has no ${type}` }]);
      ({ value: body, findings } = down);
    }
    const sent = await this.send(this.request('POST', `${url}/${type}`, body), findings, (data) => data);
    if (!sent.ok) return sent;
    // 2.1.1 answers the result alone; a timeout of 0 says none was given.
    const checked = check(CommandResponse, this.version === '2.1.1' && typeof sent.value === 'object' ? { timeout: 0, ...sent.value } : sent.value);
    if (checked.findings.length > 0) return { ok: false, failure: { kind: 'invalid-response', httpStatus: 200, message: `not a CommandResponse: ${checked.findings.map((f) => `${f.path} ${f.message}`).join('; ')}` }, findings };
    return { ok: true, value: checked.value, findings };
  }

  /** Posts a command's asynchronous result to the eMSP's response_url (a plain object, not an envelope). */
  async commandResult(responseUrl: string, result: CommandResult): Promise<PeerResult> {
    let body: unknown = result;
    let findings: Finding[] = [];
    if (this.version === '2.1.1') {
      const down = commandResult221To211(result);
      if (down.value === undefined) return unsendable('the command result', down.findings);
      ({ value: body, findings } = down);
    }
    return this.send(this.request('POST', responseUrl, body), findings, () => undefined);
  }

  /** Posts a CDR to an eMSP: the URL it can be read back at, from the answer's Location header, is not kept here. */
  async postCdr(cdr: unknown): Promise<PeerResult> {
    const url = this.endpoint('cdrs', 'RECEIVER');
    if (url === undefined) return this.missing('cdrs', 'RECEIVER');
    let body = cdr;
    let findings: Finding[] = [];
    if (this.version === '2.1.1') {
      const down = await SENDER_MODULES.cdrs.down(cdr, this.options);
      if (down.value === undefined) return unsendable('the CDR', down.findings);
      ({ value: body, findings } = down);
    }
    return this.send(this.request('POST', url, body), findings, () => undefined);
  }
}

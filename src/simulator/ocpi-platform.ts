/**
 * What the OCPI backend simulator holds and does, as plain data behind the module ports: a CPO with
 * seed locations and tariffs (the official examples, re-owned), answering commands asynchronously;
 * an eMSP with seed tokens, answering real-time authorizations; both keeping what peers push and
 * recording every call for assertions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CdrReceiver } from '../ocpi/cdrs';
import type { CommandReceiver, CommandResultReceiver, CommandType } from '../ocpi/commands';
import { inWindow, pageOf, type Page, type PageQuery } from '../ocpi/pagination';
import type { OcpiPeer } from '../ocpi/peer';
import type { ObjectReceiver, ObjectRef } from '../ocpi/receiver';
import type { ObjectSender, SenderModuleId } from '../ocpi/sender';
import { objectAt, placeAt } from '../ocpi/wire/location-tree';
import { keepLast } from './ring';
import type { Connector, Evse, Location, Tariff } from '../ocpi/wire/schemas';
import type { AuthorizationInfo, Cdr, CommandResponse, CommandResult, LocationReferences, Token } from '../ocpi/wire/transaction-schemas';

/** The seed objects, from fixtures/ocpi-seed (the official 2.2.1 examples, owner replaced when loaded). */
const SEED_DIR = join(__dirname, '..', '..', 'fixtures', 'ocpi-seed');
const seed = <T>(file: string): T[] => JSON.parse(readFileSync(join(SEED_DIR, file), 'utf8')) as T[];

interface PlatformIdentity {
  role: 'CPO' | 'EMSP';
  countryCode: string;
  partyId: string;
}

/** One recorded call of a peer to the simulator's modules. */
export interface OcpiTraffic {
  module: string;
  what: string;
  ref?: ObjectRef;
  body?: unknown;
}

type Stored = Record<string, unknown> & { last_updated: string };

export class SimulatedPlatform {
  /** Client-owned objects by module, then `country/party/id` (EVSEs and connectors inside their location). */
  readonly objects: Record<'locations' | 'sessions' | 'tariffs' | 'tokens' | 'cdrs', Map<string, Stored>> = {
    locations: new Map(),
    sessions: new Map(),
    tariffs: new Map(),
    tokens: new Map(),
    cdrs: new Map(),
  };
  /** The latest calls, oldest first (bounded, like every simulator's traffic log). */
  readonly traffic: OcpiTraffic[] = [];
  /** Command results received (the simulated eMSP's own commands). */
  readonly results: { type: CommandType; id: string; result: CommandResult }[] = [];
  /** Charge points yet to act, and acting: a closing simulator waits for them before its store closes. */
  private readonly waiting = new Set<NodeJS.Timeout>();
  private readonly acting = new Set<Promise<void>>();
  constructor(
    readonly identity: PlatformIdentity,
    /** The registered peer command results go to (none before a registration). */
    private readonly peer: () => Promise<OcpiPeer | undefined>,
    /** How long a simulated charge point takes to act on a command. */
    private readonly commandDelayMs = 50,
  ) {
    const own = { country_code: identity.countryCode, party_id: identity.partyId };
    if (identity.role === 'CPO') {
      for (const location of seed<Location>('locations.json')) this.keep('locations', { ...location, ...own });
      for (const tariff of seed<Tariff>('tariffs.json')) this.keep('tariffs', { ...tariff, ...own });
    } else {
      for (const token of seed<Token>('tokens.json')) this.keep('tokens', { ...token, ...own });
    }
  }

  private log(entry: OcpiTraffic): void {
    keepLast(this.traffic, entry);
  }

  private keep(module: keyof SimulatedPlatform['objects'], object: Stored): void {
    const id = String(object.id ?? object.uid);
    this.objects[module].set(`${String(object.country_code)}/${String(object.party_id)}/${id}`, object);
  }

  /** The simulator's own objects of a module, oldest first. */
  own(module: keyof SimulatedPlatform['objects']): Stored[] {
    const prefix = `${this.identity.countryCode}/${this.identity.partyId}/`;
    return [...this.objects[module]].filter(([key]) => key.startsWith(prefix)).map(([, object]) => object);
  }

  /** A charge point reports a new EVSE status: the simulator's own location changes; the PATCH to send its receivers is returned. */
  setEvseStatus(locationId: string, evseUid: string, status: Evse['status'], at: string): { status: Evse['status']; last_updated: string } {
    const location = this.own('locations').find((l) => l.id === locationId) as unknown as Location | undefined;
    const evse = location?.evses?.find((e) => e.uid === evseUid);
    if (!location || !evse) throw new Error(`no EVSE ${locationId}/${evseUid} in the simulator`);
    Object.assign(evse, { status, last_updated: at });
    location.last_updated = at;
    return { status, last_updated: at };
  }

  /** The module ports the simulator's routes are built on. */
  readonly receiver: ObjectReceiver = {
    put: (level, ref, object) => this.putObject(level, ref, object),
    patch: (level, ref, changes) => this.patchObject(level, ref, changes),
    get: (level, ref) => Promise.resolve(this.find(level, ref)),
    delete: (level, ref) => this.deleteObject(level, ref),
  };
  readonly sender: ObjectSender = {
    list: (module, query) => this.list(module, query),
    get: (level, ids) => Promise.resolve(this.find(level, { countryCode: this.identity.countryCode, partyId: this.identity.partyId, ids })),
    authorize: (uid, type, location) => this.authorize(uid, type, location),
  };
  readonly cdrReceiver: CdrReceiver = {
    post: (cdr) => this.postCdr(cdr),
    get: (ref) => Promise.resolve(this.objects.cdrs.get(`${ref.countryCode}/${ref.partyId}/${ref.id}`) as Cdr | undefined),
  };
  readonly commands: CommandReceiver & CommandResultReceiver = {
    command: (type, command) => this.command(type, command),
    result: (type, id, result) => this.result(type, id, result),
  };

  // ---- Receiver interfaces: what peers push ----

  private moduleOf(level: string): keyof SimulatedPlatform['objects'] {
    return level === 'evse' || level === 'connector' || level === 'location' ? 'locations' : (`${level}s` as keyof SimulatedPlatform['objects']);
  }

  private find(level: string, ref: ObjectRef): Record<string, unknown> | undefined {
    const top = this.objects[this.moduleOf(level)].get(`${ref.countryCode}/${ref.partyId}/${ref.ids[0]!}`);
    if (level !== 'evse' && level !== 'connector') return top;
    return objectAt(top as unknown as Location | undefined, level, ref.ids);
  }

  private putObject(level: string, ref: ObjectRef, object: unknown): Promise<void> {
    this.log({ module: this.moduleOf(level), what: `PUT ${level}`, ref, body: object });
    if (level === 'evse' || level === 'connector') {
      const location = this.find('location', ref) as unknown as Location | undefined;
      if (location) placeAt(location, level, ref.ids, object as Evse | Connector);
    } else this.objects[this.moduleOf(level)].set(`${ref.countryCode}/${ref.partyId}/${ref.ids[0]!}`, object as Stored);
    return Promise.resolve();
  }

  private patchObject(level: string, ref: ObjectRef, changes: Record<string, unknown>): Promise<boolean> {
    this.log({ module: this.moduleOf(level), what: `PATCH ${level}`, ref, body: changes });
    const target = this.find(level, ref);
    if (target) Object.assign(target, changes);
    return Promise.resolve(target !== undefined);
  }

  private deleteObject(level: string, ref: ObjectRef): Promise<boolean> {
    this.log({ module: this.moduleOf(level), what: `DELETE ${level}`, ref });
    return Promise.resolve(this.objects[this.moduleOf(level)].delete(`${ref.countryCode}/${ref.partyId}/${ref.ids[0]!}`));
  }

  private postCdr(cdr: Cdr): Promise<'stored' | 'same' | 'conflict'> {
    this.log({ module: 'cdrs', what: 'POST cdr', body: cdr });
    const key = `${cdr.country_code}/${cdr.party_id}/${cdr.id}`;
    const known = this.objects.cdrs.get(key);
    if (known) return Promise.resolve(JSON.stringify(known) === JSON.stringify(cdr) ? 'same' : 'conflict');
    this.objects.cdrs.set(key, cdr);
    return Promise.resolve('stored');
  }

  // ---- Sender interfaces: what peers pull ----

  private list(module: SenderModuleId, query: PageQuery): Promise<Page<unknown>> {
    this.log({ module, what: 'GET list' });
    return Promise.resolve(pageOf(this.own(module).filter((o) => inWindow(o.last_updated, query)), query));
  }

  private authorize(uid: string, type: string, location: LocationReferences | undefined): Promise<AuthorizationInfo | undefined> {
    this.log({ module: 'tokens', what: 'POST authorize', body: { uid, type, location } });
    const token = this.own('tokens').find((t) => t.uid === uid && t.type === type) as unknown as Token | undefined;
    if (token === undefined) return Promise.resolve(undefined);
    return Promise.resolve({ allowed: token.valid ? 'ALLOWED' : 'BLOCKED', token, ...(location && { location }), authorization_reference: `sim-${uid}` });
  }

  // ---- Commands ----

  /**
   * A simulated charge point: accepts what names a known location, and posts the result a moment
   * later — EVSE_INOPERATIVE when the EVSE is out of order or inoperative, EVSE_OCCUPIED when a
   * start or reservation finds it charging or blocked, else ACCEPTED.
   */
  private command(type: CommandType, command: unknown): Promise<CommandResponse> {
    this.log({ module: 'commands', what: `POST ${type}`, body: command });
    const { response_url: responseUrl, location_id: locationId, evse_uid: evseUid } = command as { response_url: string; location_id?: string; evse_uid?: string };
    const location = this.own('locations').find((l) => l.id === locationId) as unknown as Location | undefined;
    const known = locationId === undefined || location !== undefined;
    const status = location?.evses?.find((e) => e.uid === evseUid)?.status;
    const result: CommandResult['result'] =
      status === 'OUTOFORDER' || status === 'INOPERATIVE' ? 'EVSE_INOPERATIVE' : (status === 'CHARGING' || status === 'BLOCKED') && (type === 'START_SESSION' || type === 'RESERVE_NOW') ? 'EVSE_OCCUPIED' : 'ACCEPTED';
    if (known) {
      this.later(async () => {
        await (await this.peer())?.commandResult(responseUrl, { result });
      });
    }
    return Promise.resolve({ result: known ? 'ACCEPTED' : 'REJECTED', timeout: 30 });
  }

  /** What a charge point does a moment after it answered; a failure is recorded in the traffic, never thrown into the process. */
  private later(act: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      const acting: Promise<void> = act()
        .catch((err: unknown) => this.log({ module: 'commands', what: 'result not sent', body: (err as Error).message }))
        .finally(() => this.acting.delete(acting));
      this.acting.add(acting);
    }, this.commandDelayMs);
    timer.unref();
    this.waiting.add(timer);
  }

  /** Drops what has not started and waits for what has: after this nothing uses the simulator's store. */
  async settle(): Promise<void> {
    for (const timer of this.waiting) clearTimeout(timer);
    this.waiting.clear();
    await Promise.all(this.acting);
  }

  private result(type: CommandType, id: string, result: CommandResult): Promise<boolean> {
    this.log({ module: 'commands', what: `result ${type}/${id}`, body: result });
    this.results.push({ type, id, result });
    return Promise.resolve(true);
  }
}

import { randomUUID } from 'node:crypto';
import { oicpErrors } from '../oicp-schema';
import { isObject, type Json } from './http';
import { convertGeo, type GeoFormat } from './oicp-geo';
import { operatorKey, operatorKeyOfEvse, operatorOfEvse, providerKey } from './oicp-ids';
import type { OperationName } from './oicp-operations';

/**
 * What the Hubject double does with a valid request: the hub's state and its answers, as the OICP
 * 2.3 OpenAPI and the spec digest describe them (one CDR per SessionID, 018 for a foreign EvseID,
 * fullLoad replaces the operator's set, pulls paged with page/size, deltas with LastCall). No
 * transport here: the server (hubject.ts) validates, injects faults and calls `handle`.
 */

export interface AuthorizeAnswer {
  AuthorizationStatus: 'Authorized' | 'NotAuthorized';
  /** The EMP that answered; Hubject names it in the response (default DE-DCB, the official examples' EMP). */
  ProviderID?: string;
  /** StatusCode.Code; default 000 when Authorized, 106 ("no positive authentication response") otherwise. */
  Code?: string;
  Description?: string;
}

export interface AuthorizationKnobs {
  start: AuthorizeAnswer;
  stop: AuthorizeAnswer;
  /** Answers for particular identifications: the UID (RFID) or EvcoID (QR, PnC, remote) as written. */
  byIdentifier: Record<string, AuthorizeAnswer>;
}

export interface HubOptions {
  /**
   * Operators a pushing operator may also push EVSEs of (a hub CPO's sub-operators); every other
   * EvseID whose operator differs from the pushing OperatorID is refused with 018, as Hubject does.
   */
  subOperators?: string[];
  /**
   * `strict` (default): a CDR or AuthorizeStop needs a SessionID the hub issued for an authorized
   * session (AuthorizeStart, `issueSession`, a seeded CDR), else StatusCode 400 "Session is invalid".
   * `any`: every well-formed SessionID is known.
   */
  sessions?: 'strict' | 'any';
  authorization?: Partial<AuthorizationKnobs>;
}

export interface Ack {
  Result: boolean;
  StatusCode: { Code: string; Description?: string; AdditionalInfo?: string };
  SessionID?: string;
  CPOPartnerSessionID?: string;
  EMPPartnerSessionID?: string;
}

export interface StoredEvse {
  EvseID: string;
  OperatorID: string;
  OperatorName: string;
  /** The record as pushed or seeded, without the hub's own deltaType/lastUpdate. */
  record: Json;
  insertedAt: number;
  lastUpdate: number;
  deletedAt?: number;
  order: number;
}

export interface StatusPush {
  seq: number;
  at: string;
  EvseStatus: string;
  ActionType: string;
}

export interface EvseStatusState {
  OperatorID: string;
  OperatorName?: string;
  /** The status the hub currently holds; null once deleted or left out of a fullLoad. */
  current: string | null;
  /** Every status push for this EVSE, in arrival order. */
  history: StatusPush[];
}

export interface Session {
  SessionID: string;
  origin: 'AuthorizeStart' | 'issued' | 'seeded-cdr';
  authorized: boolean;
  at: string;
  EvseID?: string;
  OperatorID?: string;
  ProviderID?: string;
  Identification?: Json;
  stoppedAt?: string;
}

export interface CdrCall {
  seq: number;
  at: string;
  /** The StatusCode.Code answered: 000 accepted, 009 duplicate, 400 unknown session. */
  code: string;
  operatorId?: string;
  /** For a duplicate: whether it equals the CDR accepted first (a resend) or differs (a second CDR). */
  identicalToAccepted?: boolean;
  cdr: Json;
}

export interface CdrStats {
  calls: number;
  distinctSessions: number;
  accepted: number;
  duplicates: number;
  duplicatesIdentical: number;
  duplicatesDifferent: number;
  /** Calls answered with any other code, by code. */
  refused: Record<string, number>;
}

export interface NotificationCall {
  seq: number;
  at: string;
  Type: string;
  knownSession: boolean;
  body: Json;
}

interface ReceivedCdr {
  cdr: Json;
  receivedAt: number;
  providerId?: string;
}

interface ProductBlock {
  block: Json;
  operatorKey: string;
  updatedAt: number;
}

interface EvsePricingItem {
  item: Json;
  OperatorID: string;
  updatedAt: number;
}

const DEFAULT_PROVIDER = 'DE-DCB';

const iso = (ms: number) => new Date(ms).toISOString();

/** Keys sorted, so two CDRs compare by content and not by the order their fields were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

export function ack(result: boolean, code: string, description: string, extra: Partial<Ack> & { AdditionalInfo?: string } = {}): Ack {
  const { AdditionalInfo, ...rest } = extra;
  return { Result: result, StatusCode: { Code: code, Description: description, ...(AdditionalInfo === undefined ? {} : { AdditionalInfo }) }, ...rest };
}

/** The identifier an answer override is keyed by: the RFID UID or the EvcoID, whichever the identification carries. */
function identifierOf(identification: unknown): string | undefined {
  if (!isObject(identification)) return undefined;
  for (const value of Object.values(identification)) {
    if (isObject(value)) {
      if (typeof value.UID === 'string') return value.UID;
      if (typeof value.EvcoID === 'string') return value.EvcoID;
    }
  }
  return undefined;
}

function page<T>(items: T[], query: URLSearchParams, max = Number.MAX_SAFE_INTEGER) {
  const number = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
  // Both pull documents: "The default number of records provided in the response are 20 elements".
  const size = Math.min(max, Math.max(1, Number.parseInt(query.get('size') ?? '20', 10) || 20));
  const content = items.slice(number * size, number * size + size);
  const totalPages = Math.ceil(items.length / size);
  return { content, number, size, totalElements: items.length, totalPages, first: number === 0, last: number >= totalPages - 1, numberOfElements: content.length };
}

const SUCCESS = { Code: '000', Description: 'Success' };

export class Hub {
  private readonly subOperatorKeys: Set<string>;
  readonly sessionsMode: 'strict' | 'any';
  authorization: AuthorizationKnobs;

  private readonly evses = new Map<string, StoredEvse>();
  private evseOrder = 0;
  private readonly statuses = new Map<string, EvseStatusState>();
  private readonly sessions = new Map<string, Session>();
  private readonly cdrCalls = new Map<string, CdrCall[]>();
  private readonly received: ReceivedCdr[] = [];
  private readonly notifications = new Map<string, NotificationCall[]>();
  private readonly products = new Map<string, ProductBlock>();
  private readonly evsePricing = new Map<string, EvsePricingItem>();

  constructor(options: HubOptions = {}) {
    this.subOperatorKeys = new Set((options.subOperators ?? []).map((id) => operatorKey(id) ?? id));
    this.sessionsMode = options.sessions ?? 'strict';
    this.authorization = {
      start: options.authorization?.start ?? { AuthorizationStatus: 'Authorized', ProviderID: DEFAULT_PROVIDER },
      stop: options.authorization?.stop ?? { AuthorizationStatus: 'Authorized', ProviderID: DEFAULT_PROVIDER },
      byIdentifier: options.authorization?.byIdentifier ?? {},
    };
  }

  /** The answer to a request whose body passed the official schema. */
  handle(operation: OperationName, party: string | undefined, body: Json, query: URLSearchParams, seq: number): unknown {
    const now = Date.now();
    switch (operation) {
      case 'PushEvseData':
        return this.pushEvseData(body, now);
      case 'PushEvseStatus':
        return this.pushEvseStatus(body, seq, now);
      case 'AuthorizeStart':
        return this.authorizeStart(body, now);
      case 'AuthorizeStop':
        return this.authorizeStop(body, now);
      case 'ChargeDetailRecord':
        return this.chargeDetailRecord(body, party, seq, now);
      case 'ChargingNotification':
        return this.chargingNotification(body, seq, now);
      case 'PushPricingProductData':
        return this.pushPricingProductData(body, now);
      case 'PushEVSEPricing':
        return this.pushEvsePricing(body, party, now);
      case 'PullEvseData':
        return this.pullEvseData(body, query);
      case 'PullEvseStatus':
        return this.pullEvseStatus(body);
      case 'GetChargeDetailRecords':
        return this.getChargeDetailRecords(body, query);
      case 'PullPricingProductData':
        return this.pullPricingProductData(body, party);
      case 'PullEVSEPricing':
        return this.pullEvsePricing(body);
    }
  }

  // ---- CPO side -------------------------------------------------------------------------------

  /** EvseIDs that belong neither to the pushing operator nor to one of its sub-operators (018). */
  private foreign(evseIds: string[], operatorId: string): string[] {
    const own = operatorKey(operatorId);
    return evseIds.filter((id) => {
      const key = operatorKeyOfEvse(id);
      return key === undefined || (key !== own && !this.subOperatorKeys.has(key));
    });
  }

  private inconsistent(foreign: string[]): Ack {
    return ack(false, '018', 'Inconsistent EvseID', { AdditionalInfo: `EvseIDs of another operator: ${foreign.slice(0, 10).join(', ')}${foreign.length > 10 ? ', ...' : ''}` });
  }

  private upsertEvse(record: Json, operatorId: string, operatorName: string, now: number): void {
    const { deltaType: _deltaType, lastUpdate: _lastUpdate, OperatorID: _operatorId, OperatorName: _operatorName, ...data } = record;
    const evseId = String(record.EvseID);
    const existing = this.evses.get(evseId);
    const live = existing !== undefined && existing.deletedAt === undefined;
    this.evses.set(evseId, {
      EvseID: evseId,
      OperatorID: operatorId,
      OperatorName: operatorName,
      record: data,
      insertedAt: live ? existing.insertedAt : now,
      lastUpdate: now,
      order: existing?.order ?? this.evseOrder++,
    });
  }

  private pushEvseData(body: Json, now: number): Ack {
    const data = body.OperatorEvseData as Json;
    const operatorId = String(data.OperatorID);
    const records = data.EvseDataRecord as Json[];
    const foreign = this.foreign(records.map((r) => String(r.EvseID)), operatorId);
    if (foreign.length > 0) return this.inconsistent(foreign);
    const key = operatorKey(operatorId);
    const action = String(body.ActionType);
    if (action === 'fullLoad') {
      const kept = new Set(records.map((r) => String(r.EvseID)));
      for (const stored of this.evses.values()) {
        if (operatorKey(stored.OperatorID) === key && stored.deletedAt === undefined && !kept.has(stored.EvseID)) stored.deletedAt = now;
      }
    }
    for (const record of records) {
      if (action === 'delete') {
        const stored = this.evses.get(String(record.EvseID));
        if (stored && stored.deletedAt === undefined) stored.deletedAt = now;
      } else {
        // insert and update both leave the record as pushed: the spec says nothing of an insert of a known EVSE.
        this.upsertEvse(record, operatorId, String(data.OperatorName), now);
      }
    }
    return ack(true, '000', 'Success');
  }

  private pushEvseStatus(body: Json, seq: number, now: number): Ack {
    const data = body.OperatorEvseStatus as Json;
    const operatorId = String(data.OperatorID);
    const records = data.EvseStatusRecord as Json[];
    const foreign = this.foreign(records.map((r) => String(r.EvseID)), operatorId);
    if (foreign.length > 0) return this.inconsistent(foreign);
    const action = String(body.ActionType);
    if (action === 'fullLoad') {
      const kept = new Set(records.map((r) => String(r.EvseID)));
      const key = operatorKey(operatorId);
      for (const [evseId, state] of this.statuses) if (operatorKey(state.OperatorID) === key && !kept.has(evseId)) state.current = null;
    }
    // Kept even for an EvseID without EVSE data: the documents do not make data a precondition of a status.
    for (const record of records) {
      const evseId = String(record.EvseID);
      const state = this.statuses.get(evseId) ?? { OperatorID: operatorId, current: null, history: [] };
      state.OperatorID = operatorId;
      if (typeof data.OperatorName === 'string') state.OperatorName = data.OperatorName;
      state.current = action === 'delete' ? null : String(record.EvseStatus);
      state.history.push({ seq, at: iso(now), EvseStatus: String(record.EvseStatus), ActionType: action });
      this.statuses.set(evseId, state);
    }
    return ack(true, '000', 'Success');
  }

  private authorizeStart(body: Json, now: number): Json {
    const identifier = identifierOf(body.Identification);
    const answer = (identifier !== undefined ? this.authorization.byIdentifier[identifier] : undefined) ?? this.authorization.start;
    const authorized = answer.AuthorizationStatus === 'Authorized';
    // Hubject issues the SessionID; a CPO that already holds one (a remote start) sends it along.
    const sessionId = typeof body.SessionID === 'string' ? body.SessionID : randomUUID();
    const providerId = answer.ProviderID ?? DEFAULT_PROVIDER;
    this.sessions.set(sessionId, {
      SessionID: sessionId,
      origin: 'AuthorizeStart',
      authorized,
      at: iso(now),
      EvseID: body.EvseID as string | undefined,
      OperatorID: body.OperatorID as string,
      ProviderID: providerId,
      Identification: body.Identification as Json,
    });
    return {
      SessionID: sessionId,
      ...(typeof body.CPOPartnerSessionID === 'string' ? { CPOPartnerSessionID: body.CPOPartnerSessionID } : {}),
      ...(typeof body.EMPPartnerSessionID === 'string' ? { EMPPartnerSessionID: body.EMPPartnerSessionID } : {}),
      ProviderID: providerId,
      AuthorizationStatus: answer.AuthorizationStatus,
      StatusCode: { Code: answer.Code ?? (authorized ? '000' : '106'), Description: answer.Description ?? (authorized ? 'Success' : 'No positive authentication response') },
      ...(authorized ? { AuthorizationStopIdentifications: [body.Identification] } : {}),
    };
  }

  private knownSession(sessionId: string): Session | undefined {
    const session = this.sessions.get(sessionId);
    if (session?.authorized) return session;
    return this.sessionsMode === 'any' ? { SessionID: sessionId, origin: 'issued', authorized: true, at: iso(Date.now()) } : undefined;
  }

  private authorizeStop(body: Json, now: number): Json {
    const sessionId = String(body.SessionID);
    const session = this.knownSession(sessionId);
    const partnerIds = {
      ...(typeof body.CPOPartnerSessionID === 'string' ? { CPOPartnerSessionID: body.CPOPartnerSessionID } : {}),
      ...(typeof body.EMPPartnerSessionID === 'string' ? { EMPPartnerSessionID: body.EMPPartnerSessionID } : {}),
    };
    // The stop "MUST contain the SessionID that was created by Hubject" (AuthorizeStop_V2.1); the spec names no answer for one it did not create.
    if (!session) return { SessionID: sessionId, ...partnerIds, AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '400', Description: 'Session is invalid' } };
    const stored = this.sessions.get(sessionId);
    if (stored) stored.stoppedAt = iso(now);
    const answer = this.authorization.stop;
    const authorized = answer.AuthorizationStatus === 'Authorized';
    return {
      SessionID: sessionId,
      ...partnerIds,
      ProviderID: answer.ProviderID ?? session.ProviderID ?? DEFAULT_PROVIDER,
      AuthorizationStatus: answer.AuthorizationStatus,
      StatusCode: { Code: answer.Code ?? (authorized ? '000' : '106'), Description: answer.Description ?? (authorized ? 'Success' : 'No positive authentication response') },
    };
  }

  private chargeDetailRecord(cdr: Json, operatorId: string | undefined, seq: number, now: number): Ack {
    const sessionId = String(cdr.SessionID);
    const calls = this.cdrCalls.get(sessionId) ?? [];
    this.cdrCalls.set(sessionId, calls);
    const record = (code: string, identicalToAccepted?: boolean) =>
      calls.push({ seq, at: iso(now), code, ...(operatorId === undefined ? {} : { operatorId }), ...(identicalToAccepted === undefined ? {} : { identicalToAccepted }), cdr });
    const session = this.knownSession(sessionId);
    if (!session) {
      record('400');
      return ack(false, '400', 'Session is invalid', { SessionID: sessionId, AdditionalInfo: 'the hub issued no authorized session with this SessionID' });
    }
    const accepted = calls.find((c) => c.code === '000');
    if (accepted) {
      record('009', canonical(accepted.cdr) === canonical(cdr));
      // "Hubject will accept only one CDR per SessionID" (eRoamingChargeDetailRecord_V2.2).
      return ack(false, '009', 'Data transaction error', { SessionID: sessionId, AdditionalInfo: `duplicate: a ChargeDetailRecord for this SessionID was accepted already (request #${accepted.seq})` });
    }
    record('000');
    const providerId = session.ProviderID ?? (typeof cdr.HubProviderID === 'string' ? cdr.HubProviderID : undefined);
    this.received.push({ cdr, receivedAt: now, ...(providerId === undefined ? {} : { providerId }) });
    return ack(true, '000', 'Success', { SessionID: sessionId });
  }

  private chargingNotification(body: Json, seq: number, now: number): Ack {
    const sessionId = String(body.SessionID);
    const list = this.notifications.get(sessionId) ?? [];
    list.push({ seq, at: iso(now), Type: String(body.Type), knownSession: this.knownSession(sessionId) !== undefined, body });
    this.notifications.set(sessionId, list);
    return ack(true, '000', 'Success', { SessionID: sessionId });
  }

  private pushPricingProductData(body: Json, now: number): Ack {
    const data = body.PricingProductData as Json;
    const opKey = operatorKey(String(data.OperatorID)) ?? String(data.OperatorID);
    const blockKey = `${opKey}|${String(data.ProviderID)}`;
    const action = String(body.ActionType);
    if (action === 'fullLoad') for (const [k, v] of this.products) if (v.operatorKey === opKey) this.products.delete(k);
    const existing = this.products.get(blockKey);
    const incoming = data.PricingProductDataRecords as Json[];
    const ids = new Set(incoming.map((r) => String(r.ProductID)));
    const kept = ((existing?.block.PricingProductDataRecords as Json[] | undefined) ?? []).filter((r) => !ids.has(String(r.ProductID)));
    const records = action === 'delete' ? kept : [...kept, ...incoming];
    this.products.set(blockKey, { block: { ...(action === 'delete' && existing ? existing.block : data), PricingProductDataRecords: records }, operatorKey: opKey, updatedAt: now });
    return ack(true, '000', 'Success');
  }

  private pushEvsePricing(body: Json, operatorId: string | undefined, now: number): Ack {
    const items = body.EVSEPricing as Json[];
    const owner = operatorId ?? '';
    const foreign = this.foreign(items.map((i) => String(i.EvseID)), owner);
    if (foreign.length > 0) return this.inconsistent(foreign);
    const action = String(body.ActionType);
    if (action === 'fullLoad') for (const [k, v] of this.evsePricing) if (operatorKey(v.OperatorID) === operatorKey(owner)) this.evsePricing.delete(k);
    for (const item of items) {
      const key = `${String(item.EvseID)}|${String(item.ProviderID)}`;
      if (action === 'delete') this.evsePricing.delete(key);
      else this.evsePricing.set(key, { item, OperatorID: owner, updatedAt: now });
    }
    return ack(true, '000', 'Success');
  }

  // ---- EMP side -------------------------------------------------------------------------------

  private pullEvseData(body: Json, query: URLSearchParams): Json {
    const format = body.GeoCoordinatesResponseFormat as GeoFormat;
    const lastCall = typeof body.LastCall === 'string' ? Date.parse(body.LastCall) : undefined;
    const stored = [...this.evses.values()].sort((a, b) => a.order - b.order);
    const selected: { s: StoredEvse; deltaType?: string }[] =
      lastCall === undefined
        ? stored.filter((s) => s.deletedAt === undefined && matchesFilters(s, body)).map((s) => ({ s }))
        : stored
            .filter((s) => s.lastUpdate > lastCall || (s.deletedAt !== undefined && s.deletedAt > lastCall))
            .map((s) => ({ s, deltaType: s.deletedAt !== undefined ? 'delete' : s.insertedAt > lastCall ? 'insert' : 'update' }));
    // Only the asked page is converted: a page of a large network should not cost the whole network.
    const { content, ...paging } = page(selected, query);
    const records = content.map(({ s, deltaType }) => ({
      ...s.record,
      GeoCoordinates: convertGeo(s.record.GeoCoordinates, format),
      ...(s.record.GeoChargingPointEntrance === undefined ? {} : { GeoChargingPointEntrance: convertGeo(s.record.GeoChargingPointEntrance, format) }),
      OperatorID: s.OperatorID,
      OperatorName: s.OperatorName,
      lastUpdate: iso(s.deletedAt ?? s.lastUpdate),
      ...(deltaType === undefined ? {} : { deltaType }),
    }));
    return { content: records, ...paging, StatusCode: SUCCESS };
  }

  private statusGroups(filter: (state: EvseStatusState) => boolean): Json[] {
    const groups = new Map<string, Json & { EvseStatusRecord: Json[] }>();
    for (const [evseId, state] of this.statuses) {
      if (state.current === null || !filter(state)) continue;
      const key = operatorKey(state.OperatorID) ?? state.OperatorID;
      const group = groups.get(key) ?? { OperatorID: state.OperatorID, ...(state.OperatorName ? { OperatorName: state.OperatorName } : {}), EvseStatusRecord: [] };
      group.EvseStatusRecord.push({ EvseID: evseId, EvseStatus: state.current });
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  private pullEvseStatus(body: Json): Json {
    if (Array.isArray(body.EvseID)) {
      const records = (body.EvseID as string[]).map((id) => ({ EvseID: id, EvseStatus: this.statuses.get(id)?.current ?? 'EvseNotFound' }));
      return { EVSEStatusRecords: { EvseStatusRecord: records }, StatusCode: SUCCESS };
    }
    if (Array.isArray(body.OperatorID)) {
      const wanted = new Set((body.OperatorID as string[]).map((id) => operatorKey(id)));
      return { EvseStatuses: { OperatorEvseStatus: this.statusGroups((s) => wanted.has(operatorKey(s.OperatorID))) }, StatusCode: SUCCESS };
    }
    const only = typeof body.EVSEStatus === 'string' ? body.EVSEStatus : undefined;
    return { EvseStatuses: { OperatorEvseStatus: this.statusGroups((s) => only === undefined || s.current === only) }, StatusCode: SUCCESS };
  }

  private getChargeDetailRecords(body: Json, query: URLSearchParams): Json {
    const from = Date.parse(String(body.From));
    const to = Date.parse(String(body.To));
    const sessionIds = Array.isArray(body.SessionID) ? new Set(body.SessionID as string[]) : undefined;
    const operator = typeof body.OperatorID === 'string' ? operatorKey(body.OperatorID) : undefined;
    const provider = providerKey(String(body.ProviderID));
    const cdrs = this.received
      .filter((r) => r.receivedAt >= from && r.receivedAt <= to)
      .filter((r) => !sessionIds || sessionIds.has(String(r.cdr.SessionID)))
      .filter((r) => operator === undefined || operatorKeyOfEvse(String(r.cdr.EvseID)) === operator)
      // CDRs of sessions the EMP authorized; one whose EMP the hub cannot tell is shown to every EMP.
      .filter((r) => r.providerId === undefined || providerKey(r.providerId) === provider)
      .map((r) => r.cdr);
    // "the maximum number of records possible to obtain per page are 2000" (GetChargeDetailRecords_V2.2).
    const paged = page(cdrs, query, 2000);
    return {
      ...paged,
      empty: paged.numberOfElements === 0,
      pageable: { sort: { sorted: false, empty: true, unsorted: true }, pageSize: paged.size, pageNumber: paged.number, offset: paged.number * paged.size, paged: true, unpaged: false },
      StatusCode: SUCCESS,
    };
  }

  private pullPricingProductData(body: Json, providerId: string | undefined): Json {
    const wanted = new Set((body.OperatorIDs as string[]).map((id) => operatorKey(id) ?? id));
    const lastCall = typeof body.LastCall === 'string' ? Date.parse(body.LastCall) : undefined;
    const blocks = [...this.products.values()]
      .filter((p) => wanted.has(p.operatorKey))
      .filter((p) => lastCall === undefined || p.updatedAt > lastCall)
      .filter((p) => p.block.ProviderID === '*' || providerId === undefined || providerKey(String(p.block.ProviderID)) === providerKey(providerId))
      .map((p) => p.block);
    return { PricingProductData: blocks, StatusCode: SUCCESS };
  }

  private pullEvsePricing(body: Json): Json {
    const wanted = new Set((body.OperatorIDs as string[]).map((id) => operatorKey(id) ?? id));
    const lastCall = typeof body.LastCall === 'string' ? Date.parse(body.LastCall) : undefined;
    const provider = String(body.ProviderID);
    const groups = new Map<string, { OperatorID: string; EVSEPricing: Json[] }>();
    for (const { item, OperatorID, updatedAt } of this.evsePricing.values()) {
      const key = operatorKey(OperatorID) ?? OperatorID;
      if (!wanted.has(key) || (lastCall !== undefined && updatedAt <= lastCall)) continue;
      if (item.ProviderID !== '*' && providerKey(String(item.ProviderID)) !== providerKey(provider)) continue;
      const group = groups.get(key) ?? { OperatorID, EVSEPricing: [] };
      // An offer to all EMPs ("*") is answered in the requesting EMP's name: the pull response's ProviderID takes no asterisk.
      group.EVSEPricing.push({ ...item, ProviderID: item.ProviderID === '*' ? provider : item.ProviderID });
      groups.set(key, group);
    }
    return { EVSEPricing: [...groups.values()], StatusCode: SUCCESS };
  }

  // ---- seeding and reading (control API) ------------------------------------------------------

  /** Records an EMP can pull, as if their operators had pushed them; each must be a valid official PullEvseDataRecord. */
  seedEvseData(records: Json[]): void {
    const now = Date.now();
    for (const record of records) {
      const errors = oicpErrors('emp', 'PullEvseDataRecord', record);
      if (errors.length > 0) throw new Error(`seeded EVSE data record ${String(record.EvseID)} breaks the official schema: ${errors.join('; ')}`);
      this.upsertEvse(record, String(record.OperatorID), String(record.OperatorName), typeof record.lastUpdate === 'string' ? Date.parse(record.lastUpdate) : now);
    }
  }

  seedStatuses(records: { EvseID: string; EvseStatus: string; OperatorID?: string; OperatorName?: string }[]): void {
    const now = Date.now();
    for (const record of records) {
      const operatorId = record.OperatorID ?? operatorOfEvse(record.EvseID);
      if (operatorId === undefined) throw new Error(`seeded status: ${record.EvseID} is no EvseID`);
      const state = this.statuses.get(record.EvseID) ?? { OperatorID: operatorId, current: null, history: [] };
      state.current = record.EvseStatus;
      if (record.OperatorName) state.OperatorName = record.OperatorName;
      state.history.push({ seq: 0, at: iso(now), EvseStatus: record.EvseStatus, ActionType: 'seed' });
      this.statuses.set(record.EvseID, state);
    }
  }

  /** CDRs an EMP can fetch with GetChargeDetailRecords, received now; their sessions become known. */
  seedCdrs(cdrs: Json[], providerId?: string): void {
    const now = Date.now();
    for (const cdr of cdrs) {
      const errors = oicpErrors('emp', 'eRoamingChargeDetailRecord', cdr);
      if (errors.length > 0) throw new Error(`seeded CDR ${String(cdr.SessionID)} breaks the official schema: ${errors.join('; ')}`);
      const provider = providerId ?? (typeof cdr.HubProviderID === 'string' ? cdr.HubProviderID : undefined);
      this.sessions.set(String(cdr.SessionID), { SessionID: String(cdr.SessionID), origin: 'seeded-cdr', authorized: true, at: iso(now), ...(provider ? { ProviderID: provider } : {}) });
      this.received.push({ cdr, receivedAt: now, ...(provider ? { providerId: provider } : {}) });
    }
  }

  seedPricing(products: Json[] = [], evsePricing: Json[] = []): void {
    const now = Date.now();
    for (const block of products) {
      const errors = oicpErrors('emp', 'PricingProductDataType', block);
      if (errors.length > 0) throw new Error(`seeded pricing product data breaks the official schema: ${errors.join('; ')}`);
      const opKey = operatorKey(String(block.OperatorID)) ?? String(block.OperatorID);
      this.products.set(`${opKey}|${String(block.ProviderID)}`, { block, operatorKey: opKey, updatedAt: now });
    }
    for (const group of evsePricing) {
      const errors = oicpErrors('emp', 'OperatorEVSEPricing', group);
      if (errors.length > 0) throw new Error(`seeded EVSE pricing breaks the official schema: ${errors.join('; ')}`);
      for (const item of group.EVSEPricing as Json[]) {
        this.evsePricing.set(`${String(item.EvseID)}|${String(item.ProviderID)}`, { item, OperatorID: String(group.OperatorID), updatedAt: now });
      }
    }
  }

  /** A session the hub issued outside AuthorizeStart (e.g. for a remote start), so CDRs for it are accepted. */
  issueSession(init: Partial<Omit<Session, 'origin' | 'authorized' | 'at'>> = {}): Session {
    const session: Session = { ...init, SessionID: init.SessionID ?? randomUUID(), origin: 'issued', authorized: true, at: iso(Date.now()) };
    this.sessions.set(session.SessionID, session);
    return session;
  }

  evseStatuses(): Record<string, EvseStatusState> {
    return Object.fromEntries(this.statuses);
  }

  /** The EVSE data records the hub holds now, per OperatorID, with the hub's lastUpdate. */
  evseData(operatorId?: string): Record<string, (Json & { lastUpdate: string })[]> {
    const wanted = operatorId === undefined ? undefined : operatorKey(operatorId);
    const result: Record<string, (Json & { lastUpdate: string })[]> = {};
    for (const s of [...this.evses.values()].sort((a, b) => a.order - b.order)) {
      if (s.deletedAt !== undefined || (wanted !== undefined && operatorKey(s.OperatorID) !== wanted)) continue;
      (result[s.OperatorID] ??= []).push({ ...s.record, lastUpdate: iso(s.lastUpdate) });
    }
    return result;
  }

  cdrs(): Record<string, CdrCall[]> {
    return Object.fromEntries(this.cdrCalls);
  }

  cdrStats(): CdrStats {
    const all = [...this.cdrCalls.values()].flat();
    const duplicates = all.filter((c) => c.code === '009');
    const refused: Record<string, number> = {};
    for (const call of all) if (call.code !== '000' && call.code !== '009') refused[call.code] = (refused[call.code] ?? 0) + 1;
    return {
      calls: all.length,
      distinctSessions: this.cdrCalls.size,
      accepted: all.filter((c) => c.code === '000').length,
      duplicates: duplicates.length,
      duplicatesIdentical: duplicates.filter((c) => c.identicalToAccepted).length,
      duplicatesDifferent: duplicates.filter((c) => !c.identicalToAccepted).length,
      refused,
    };
  }

  notificationsBySession(): Record<string, NotificationCall[]> {
    return Object.fromEntries(this.notifications);
  }

  sessionList(): Session[] {
    return [...this.sessions.values()];
  }

  pricing(): { products: Json[]; evsePricing: (Json & { OperatorID: string })[] } {
    return {
      products: [...this.products.values()].map((p) => p.block),
      evsePricing: [...this.evsePricing.values()].map((p) => ({ ...p.item, OperatorID: p.OperatorID })),
    };
  }
}

/** PullEvseData's optional filters that are plain comparisons (SearchCenter is not applied). */
function matchesFilters(stored: StoredEvse, body: Json): boolean {
  const r = stored.record;
  const overlaps = (wanted: unknown, have: unknown) => !Array.isArray(wanted) || (Array.isArray(have) ? have.some((h) => wanted.includes(h)) : wanted.includes(have));
  if (Array.isArray(body.OperatorIds) && !(body.OperatorIds as string[]).some((id) => operatorKey(id) === operatorKey(stored.OperatorID))) return false;
  if (Array.isArray(body.CountryCodes) && !(body.CountryCodes as string[]).includes(String((r.Address as Json).Country))) return false;
  for (const flag of ['RenewableEnergy', 'IsHubjectCompatible', 'IsOpen24Hours'] as const) {
    if (typeof body[flag] === 'boolean' && r[flag] !== body[flag]) return false;
  }
  return overlaps(body.AuthenticationModes, r.AuthenticationModes) && overlaps(body.Accessibility, r.Accessibility) && overlaps(body.CalibrationLawDataAvailability, r.CalibrationLawDataAvailability);
}

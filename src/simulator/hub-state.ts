/**
 * What the simulated Hubject remembers, and the hub rules over it: pushes per operator (fullLoad
 * replaces the operator's set, deletes leave a tombstone for delta pulls), sessions under
 * hub-issued SessionIDs with at most one CDR each, authentication data per provider, pricing.
 * Plain data and functions, no HTTP: `hubject.ts` puts it on the wire.
 */
import { oicpToOcpiCoordinates } from '../mapping/coordinates';
import { operatorOfEvseId, sameOperator } from '../mapping/identifiers';
import type { ActionType, PullEvseDataRequest, PullEvseStatusRequest, GetChargeDetailRecordsRequest, EvseStatusResponse } from '../oicp/wire/messages';
import type { EvseDataRecord, EvsePricing, EvseStatusRecord, PricingProductData } from '../oicp/wire/schemas';
import type { ChargeDetailRecord, Identification } from '../oicp/wire/transaction-schemas';
import { OicpRefusal, statusCode } from '../oicp/wire/status-codes';

interface StoredEvse {
  record: EvseDataRecord;
  operatorId: string;
  operatorName: string;
  lastUpdate: string;
  deltaType: 'insert' | 'update' | 'delete';
}

interface HubSession {
  sessionId: string;
  operatorId?: string;
  providerId?: string;
  evseId?: string;
  cdr?: ChargeDetailRecord;
  cdrReceivedAt?: string;
}

export interface Page<T> {
  content: T[];
  number: number;
  size: number;
  totalElements: number;
  totalPages: number;
  numberOfElements: number;
  first: boolean;
  last: boolean;
}

/** One page of a list, Spring style (page numbers from 0). */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const content = items.slice(page * size, page * size + size);
  const totalPages = Math.ceil(items.length / size);
  return { content, number: page, size, totalElements: items.length, totalPages, numberOfElements: content.length, first: page === 0, last: page >= totalPages - 1 };
}

/** Keyed upsert/delete/replace by an action type, as every OICP push does. */
function applyAction<T>(current: Map<string, T>, action: ActionType, items: readonly T[], keyOf: (item: T) => string, remove: (key: string) => void = (key) => current.delete(key)): void {
  if (action === 'fullLoad') [...current.keys()].forEach(remove);
  for (const item of items) {
    if (action === 'delete') remove(keyOf(item));
    else current.set(keyOf(item), item);
  }
}

const upper = (id: string) => id.replace(/[*+]/g, '').toUpperCase();

export class HubState {
  /** Per normalised OperatorID, per EvseID. */
  readonly evseData = new Map<string, Map<string, StoredEvse>>();
  readonly evseStatus = new Map<string, Map<string, EvseStatusRecord & { operatorName?: string }>>();
  readonly sessions = new Map<string, HubSession>();
  readonly authenticationData = new Map<string, { providerId: string; records: Map<string, Identification> }>();
  readonly pricingProducts = new Map<string, Map<string, PricingProductData>>();
  readonly evsePricing = new Map<string, Map<string, EvsePricing>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  pushEvseData(action: ActionType, operatorId: string, operatorName: string, records: readonly EvseDataRecord[]): void {
    const mine = this.forOperator(this.evseData, operatorId);
    const at = this.now().toISOString();
    const tombstone = (evseId: string) => {
      const stored = mine.get(evseId);
      if (stored) mine.set(evseId, { ...stored, deltaType: 'delete', lastUpdate: at });
    };
    const stored = records.map((record): StoredEvse => ({ record, operatorId, operatorName, lastUpdate: at, deltaType: mine.has(record.EvseID) && mine.get(record.EvseID)!.deltaType !== 'delete' ? 'update' : 'insert' }));
    applyAction(mine, action, stored, (s) => s.record.EvseID, tombstone);
    this.pulled = undefined;
  }

  pushEvseStatus(action: ActionType, operatorId: string, operatorName: string | undefined, records: readonly EvseStatusRecord[]): void {
    applyAction(this.forOperator(this.evseStatus, operatorId), action, records.map((r) => ({ ...r, operatorName })), (r) => r.EvseID);
  }

  /** A pull's result, kept while nothing is pushed: Hubject serves a paged pull's pages from one result, not a new search per page. */
  private pulled?: { request: string; records: EvseDataRecord[] };

  pullEvseData(request: PullEvseDataRequest): EvseDataRecord[] {
    const key = JSON.stringify(request);
    if (this.pulled?.request !== key) this.pulled = { request: key, records: this.searchEvseData(request) };
    return this.pulled.records;
  }

  private searchEvseData(request: PullEvseDataRequest): EvseDataRecord[] {
    const since = request.LastCall === undefined ? undefined : Date.parse(request.LastCall);
    const center = request.SearchCenter ? oicpToOcpiCoordinates(request.SearchCenter.GeoCoordinates).value : undefined;
    const wanted = <T>(filter: readonly T[] | undefined, value: T) => filter === undefined || filter.includes(value);
    return [...this.evseData.values()]
      .flatMap((byEvse) => [...byEvse.values()])
      .filter((s) => (since === undefined ? s.deltaType !== 'delete' : Date.parse(s.lastUpdate) > since))
      .filter((s) => request.OperatorIds === undefined || request.OperatorIds.some((id) => sameOperator(id, s.operatorId)))
      .filter((s) => wanted(request.CountryCodes, s.record.Address.Country))
      .filter((s) => request.AuthenticationModes === undefined || s.record.AuthenticationModes.some((mode) => request.AuthenticationModes!.includes(mode)))
      .filter((s) => wanted(request.Accessibility, s.record.Accessibility))
      .filter((s) => wanted(request.CalibrationLawDataAvailability, s.record.CalibrationLawDataAvailability))
      .filter((s) => request.RenewableEnergy === undefined || s.record.RenewableEnergy === request.RenewableEnergy)
      .filter((s) => request.IsHubjectCompatible === undefined || s.record.IsHubjectCompatible === request.IsHubjectCompatible)
      .filter((s) => request.IsOpen24Hours === undefined || s.record.IsOpen24Hours === request.IsOpen24Hours)
      .filter((s) => {
        if (!center || !request.SearchCenter) return true;
        const here = oicpToOcpiCoordinates(s.record.GeoCoordinates).value;
        return here !== undefined && distanceKm(center, here) <= request.SearchCenter.Radius;
      })
      .sort((a, b) => a.record.EvseID.localeCompare(b.record.EvseID))
      .map((s) => ({
        ...s.record,
        OperatorID: s.operatorId,
        OperatorName: s.operatorName,
        lastUpdate: s.lastUpdate,
        ...(since === undefined ? {} : { deltaType: s.deltaType }),
      }));
  }

  pullEvseStatus(request: PullEvseStatusRequest): EvseStatusResponse {
    const all = [...this.evseStatus.entries()].flatMap(([, byEvse]) => [...byEvse.values()]);
    if (request.EvseID) {
      const byId = new Map(all.map((r) => [upper(r.EvseID), r]));
      return {
        EVSEStatusRecords: { EvseStatusRecord: request.EvseID.map((EvseID) => ({ EvseID, EvseStatus: byId.get(upper(EvseID))?.EvseStatus ?? 'EvseNotFound' })) },
        StatusCode: statusCode('000'),
      };
    }
    const center = request.SearchCenter ? oicpToOcpiCoordinates(request.SearchCenter.GeoCoordinates).value : undefined;
    const located = (evseId: string) => {
      if (!center || !request.SearchCenter) return true;
      const record = this.findEvse(evseId);
      const here = record ? oicpToOcpiCoordinates(record.GeoCoordinates).value : undefined;
      return here !== undefined && distanceKm(center, here) <= request.SearchCenter.Radius;
    };
    const groups = new Map<string, { OperatorID: string; OperatorName?: string; EvseStatusRecord: EvseStatusRecord[] }>();
    for (const record of all) {
      const operatorId = operatorOfEvseId(record.EvseID) ?? '';
      if (request.OperatorID && !request.OperatorID.some((id) => sameOperator(id, operatorId))) continue;
      if (request.EvseStatus !== undefined && record.EvseStatus !== request.EvseStatus) continue;
      if (!located(record.EvseID)) continue;
      const group = groups.get(upper(operatorId)) ?? { OperatorID: operatorId, ...(record.operatorName ? { OperatorName: record.operatorName } : {}), EvseStatusRecord: [] };
      group.EvseStatusRecord.push({ EvseID: record.EvseID, EvseStatus: record.EvseStatus });
      groups.set(upper(operatorId), group);
    }
    return { EvseStatuses: { OperatorEvseStatus: [...groups.values()] }, StatusCode: statusCode('000') };
  }

  findEvse(evseId: string): EvseDataRecord | undefined {
    const operatorId = operatorOfEvseId(evseId);
    const stored = operatorId === undefined ? undefined : this.evseData.get(upper(operatorId))?.get(evseId);
    return stored && stored.deltaType !== 'delete' ? stored.record : undefined;
  }

  openSession(session: HubSession): HubSession {
    const existing = this.sessions.get(session.sessionId);
    const merged = { ...existing, ...Object.fromEntries(Object.entries(session).filter(([, v]) => v !== undefined)) } as HubSession;
    this.sessions.set(session.sessionId, merged);
    return merged;
  }

  session(sessionId: string): HubSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw new OicpRefusal('400', `SessionID ${sessionId} is unknown to the hub`);
    return session;
  }

  /**
   * Accepts a CDR for a session the hub knows, once. External calibration-law data means the EVSE's
   * meter is signed, so the CDR must carry the signed values (Eichrecht).
   */
  acceptCdr(operatorId: string, cdr: ChargeDetailRecord): HubSession {
    const session = this.session(cdr.SessionID);
    if (session.cdr) throw new OicpRefusal('009', `a CDR for SessionID ${cdr.SessionID} was already received`, 409);
    if (session.operatorId !== undefined && !sameOperator(session.operatorId, operatorId)) throw new OicpRefusal('017', `SessionID ${cdr.SessionID} belongs to another operator`, 403);
    if (this.findEvse(cdr.EvseID)?.CalibrationLawDataAvailability === 'External' && !(cdr.SignedMeteringValues?.length && cdr.CalibrationLawVerificationInfo)) {
      throw new OicpRefusal('022', `EVSE ${cdr.EvseID} has External calibration-law data: SignedMeteringValues and CalibrationLawVerificationInfo are required`, 400);
    }
    session.cdr = cdr;
    session.cdrReceivedAt = this.now().toISOString();
    return session;
  }

  chargeDetailRecords(providerId: string, request: GetChargeDetailRecordsRequest): ChargeDetailRecord[] {
    const from = Date.parse(request.From);
    const to = Date.parse(request.To);
    return [...this.sessions.values()]
      .filter((s): s is HubSession & { cdr: ChargeDetailRecord } => s.cdr !== undefined && s.providerId !== undefined && upper(s.providerId) === upper(providerId))
      .filter((s) => Date.parse(s.cdr.SessionEnd) >= from && Date.parse(s.cdr.SessionEnd) < to)
      .filter((s) => request.SessionID === undefined || request.SessionID.includes(s.sessionId))
      .filter((s) => request.OperatorID === undefined || (s.operatorId !== undefined && sameOperator(s.operatorId, request.OperatorID)))
      .sort((a, b) => a.cdr.SessionEnd.localeCompare(b.cdr.SessionEnd) || a.sessionId.localeCompare(b.sessionId))
      .map((s) => s.cdr);
  }

  pushAuthenticationData(action: ActionType, providerId: string, identifications: readonly Identification[]): void {
    const records = this.authenticationData.get(upper(providerId))?.records ?? new Map<string, Identification>();
    applyAction(records, action, identifications, identificationKey);
    this.authenticationData.set(upper(providerId), { providerId, records });
  }

  /** The provider (as it wrote its id) whose pushed authentication data holds this identification: offline authorization. */
  providerHolding(identification: Identification): string | undefined {
    const key = identificationKey(identification);
    return [...this.authenticationData.values()].find(({ records }) => records.has(key))?.providerId;
  }

  /**
   * Products are records keyed by ProductID inside the operator's block for a provider, like EVSE
   * records: `update`/`insert` upsert the products sent (the block's defaults are taken from the
   * push), `delete` removes them, `fullLoad` replaces every block of the operator.
   */
  pushPricingProducts(action: ActionType, operatorId: string, data: PricingProductData): void {
    const mine = this.forOperator(this.pricingProducts, operatorId);
    if (action === 'fullLoad') mine.clear();
    const block = mine.get(data.ProviderID);
    const products = new Map((block?.PricingProductDataRecords ?? []).map((p) => [p.ProductID, p]));
    applyAction(products, action === 'fullLoad' ? 'update' : action, data.PricingProductDataRecords, (p) => p.ProductID);
    mine.set(data.ProviderID, { ...(action === 'delete' && block ? block : data), PricingProductDataRecords: [...products.values()] });
  }

  pushEvsePricing(action: ActionType, operatorId: string, pricing: readonly EvsePricing[]): void {
    applyAction(this.forOperator(this.evsePricing, operatorId), action, pricing, (p) => `${p.EvseID}|${p.ProviderID}`);
  }

  /** Pricing a provider may see: addressed to it or to every provider (`*`). */
  pricingProductsFor(providerId: string, operatorIds: readonly string[]): PricingProductData[] {
    return [...this.pricingProducts.entries()]
      .filter(([operator]) => operatorIds.some((id) => upper(id) === operator))
      .flatMap(([, byProvider]) => [...byProvider.values()])
      .filter((data) => data.ProviderID === '*' || upper(data.ProviderID) === upper(providerId));
  }

  evsePricingFor(providerId: string, operatorIds: readonly string[]): { OperatorID: string; EVSEPricing: EvsePricing[] }[] {
    return operatorIds.map((OperatorID) => ({
      OperatorID,
      // Pricing offered to every provider (`*`) is answered in the asking provider's name: an answer names one ProviderID.
      EVSEPricing: [...(this.evsePricing.get(upper(OperatorID))?.values() ?? [])].filter((p) => p.ProviderID === '*' || upper(p.ProviderID) === upper(providerId)).map((p) => ({ ...p, ProviderID: providerId })),
    }));
  }

  private forOperator<T>(maps: Map<string, Map<string, T>>, id: string): Map<string, T> {
    const key = upper(id);
    const existing = maps.get(key);
    if (existing) return existing;
    const created = new Map<string, T>();
    maps.set(key, created);
    return created;
  }
}

/** An identification's key: the UID or EvcoID it carries, whatever the identification type. */
function identificationKey(identification: Identification): string {
  const uid = identification.RFIDMifareFamilyIdentification?.UID ?? identification.RFIDIdentification?.UID;
  if (uid) return `UID:${uid}`;
  const evco = identification.QRCodeIdentification?.EvcoID ?? identification.PlugAndChargeIdentification?.EvcoID ?? identification.RemoteIdentification?.EvcoID;
  return `EVCO:${(evco ?? '').replace(/[-*]/g, '').toUpperCase()}`;
}

function distanceKm(a: { latitude: string; longitude: string }, b: { latitude: string; longitude: string }): number {
  const rad = (deg: string) => (Number(deg) * Math.PI) / 180;
  const dLat = rad(b.latitude) - rad(a.latitude);
  const dLon = rad(b.longitude) - rad(a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

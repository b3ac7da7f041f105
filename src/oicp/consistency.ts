/**
 * The identity checks every OICP server makes before believing a request, beyond its schema: the
 * body names the party of the path, and each EvseID belongs to the operator the request speaks for
 * (Hubject's 018 Inconsistent EvseID).
 */
import { operatorOfEvseId, sameOperator, sameParty } from '../mapping/identifiers';
import { OPERATIONS, type OicpOperation, type OperationName } from './wire/operations';
import { OicpRefusal } from './wire/status-codes';

/** The operator a request speaks for, when its body says so, and the EvseIDs it names. */
function evseClaims(name: OperationName, body: Record<string, unknown>): { operatorId?: string; evseIds: string[] } {
  switch (name) {
    case 'PushEvseData': {
      const data = body.OperatorEvseData as { OperatorID: string; EvseDataRecord: { EvseID: string }[] };
      return { operatorId: data.OperatorID, evseIds: data.EvseDataRecord.map((record) => record.EvseID) };
    }
    case 'PushEvseStatus': {
      const data = body.OperatorEvseStatus as { OperatorID: string; EvseStatusRecord: { EvseID: string }[] };
      return { operatorId: data.OperatorID, evseIds: data.EvseStatusRecord.map((record) => record.EvseID) };
    }
    case 'PushEvsePricing':
      return { evseIds: (body.EVSEPricing as { EvseID: string }[]).map((pricing) => pricing.EvseID) };
    default:
      return {
        operatorId: typeof body.OperatorID === 'string' ? body.OperatorID : undefined,
        evseIds: typeof body.EvseID === 'string' ? [body.EvseID] : [],
      };
  }
}

/** The ways an Identification identifies; the schema (like the official one) makes each optional. */
const IDENTIFICATION_KINDS = ['RFIDMifareFamilyIdentification', 'RFIDIdentification', 'QRCodeIdentification', 'PlugAndChargeIdentification', 'RemoteIdentification'];

/**
 * Refuses a schema-valid request that combines members the operation keeps apart (022), that
 * carries an Identification naming none of its kinds (022: nothing would identify the driver), or whose
 * parties do not agree: 017 when the body names another party
 * than the path, 018 when an EvseID is not the operator's. `operatorIds`, when given, are the
 * operators this server answers for (a CPO refuses commands for EVSEs that are not its own).
 */
export function checkConsistency(name: OperationName, partyId: string | undefined, body: Record<string, unknown>, operatorIds: readonly string[] = []): void {
  const operation: OicpOperation = OPERATIONS[name];
  const identification = body.Identification as Record<string, unknown> | undefined;
  if (identification !== undefined && !IDENTIFICATION_KINDS.some((kind) => identification[kind] !== undefined)) {
    throw new OicpRefusal('022', `Identification: none of ${IDENTIFICATION_KINDS.join(', ')} given`, 400);
  }
  for (const group of operation.exclusive ?? []) {
    const given = group.filter((member) => body[member] !== undefined);
    if (given.length > 1) throw new OicpRefusal('022', `${given.join(' and ')} cannot be combined`, 400);
  }
  if (operation.party !== 'none' && partyId !== undefined) {
    const named = operation.partyField ? body[operation.partyField] : undefined;
    if (typeof named === 'string' && !sameParty(operation.party, named, partyId)) {
      throw new OicpRefusal('017', `${operation.partyField} ${named} is not the ${operation.party} of the path (${partyId})`, 403);
    }
  }
  const claims = evseClaims(name, body);
  const speaksFor = claims.operatorId ?? (operation.party === 'operator' ? partyId : undefined);
  for (const evseId of claims.evseIds) {
    const owner = operatorOfEvseId(evseId);
    if (owner === undefined) continue; // the schema has already refused a malformed EvseID
    if (speaksFor !== undefined && !sameOperator(owner, speaksFor)) throw new OicpRefusal('018', `EvseID ${evseId} does not belong to operator ${speaksFor}`);
    if (operatorIds.length > 0 && !operatorIds.some((id) => sameOperator(owner, id))) throw new OicpRefusal('018', `EvseID ${evseId} is not an EVSE of this operator`);
  }
}

/**
 * The party a request body speaks for, where the body names one: SOAP 2.x has no party in its URL,
 * so a SOAP server takes it from here. Reads an unvalidated body, so it only ever looks for strings.
 */
export function partyNamedInBody(name: OperationName, body: unknown): string | undefined {
  const operation: OicpOperation = OPERATIONS[name];
  const text = (...path: string[]): string | undefined => {
    const found = path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), body);
    return typeof found === 'string' ? found : undefined;
  };
  if (operation.partyField) return text(operation.partyField);
  switch (name) {
    case 'PushEvseData':
      return text('OperatorEvseData', 'OperatorID');
    case 'PushEvseStatus':
      return text('OperatorEvseStatus', 'OperatorID');
    case 'PushAuthenticationData':
      return text('ProviderAuthenticationData', 'ProviderID');
    case 'PushPricingProductData':
      return text('PricingProductData', 'OperatorID');
    default:
      return undefined;
  }
}

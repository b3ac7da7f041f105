/**
 * Every OICP 2.3 operation as data: where it lives, who calls it, who serves it, what it carries.
 * The REST client, the server routes, the validation and the Hubject simulator are all driven by
 * this table, so adding or correcting an operation is one edit here (source: the operation table
 * of the official OpenAPI, ../shared/schemas/oicp-2.3/openapi-{cpo,emp}/openapi.yaml).
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-charging-notification (src/oicp/errata.ts).
import type { Static, TSchema } from '@sinclair/typebox';
import * as M from './messages';
import * as T from './transaction-schemas';
import { ACKNOWLEDGEMENT_ELEMENT, type SoapRelease, type SoapService } from './soap-services';

export type OicpRole = 'CPO' | 'EMP';

export interface OicpOperation<Req extends TSchema = TSchema, Res extends TSchema = TSchema> {
  /** Service and version segments of the path, e.g. `evsepush/v23`. */
  service: string;
  /** Whose id follows in the path (`operators/{id}` or `providers/{id}`); none for notifications. */
  party: 'operator' | 'provider' | 'none';
  resource: string;
  /** The role that sends this operation to Hubject. */
  caller: OicpRole;
  /** The partner role Hubject forwards it to, which serves it; absent when Hubject answers itself. */
  servedBy?: OicpRole;
  request: Req;
  response: Res;
  /** Body member that must name the same party as the path (checked by every server). */
  partyField?: string;
  /** Groups of request members of which at most one may be given (the documents' prose rules). */
  exclusive?: string[][];
  /** Spring-style pages (`page`, `size` query parameters): Hubject's default and largest page size. */
  paged?: { defaultSize: number; maxSize: number };
  /** How long the caller waits for the answer. Remote starts must be answered within seconds. */
  timeoutMs: number;
  /**
   * What the client may send again when no answer came (besides a request that met a keep-alive
   * connection the peer had closed, which any operation sends again: it never arrived).
   * `idempotent`: a read, sent again with backoff after any transport failure, timeout or HTTP 5xx;
   * `once-on-reset`: sent once more when the connection was reset before any byte of the answer,
   * within its timeout (an authorization the driver is waiting for).
   */
  retry?: 'idempotent' | 'once-on-reset';
  /** The OICP 2.x SOAP form: service, and the request and answer elements of the SOAP body. */
  soap: SoapForm;
}

/**
 * The OICP 2.x SOAP form: the service (whose namespace per release is in soap/services.ts), the
 * request and answer elements of the SOAP body, and the variants 2.x split some operations into.
 */
interface SoapForm {
  service: SoapService;
  request: string;
  response: string;
  /** Other request elements of 2.x that are this operation, each with its answer element; written when the request has member `when`. */
  variants?: readonly SoapVariant[];
  /** Record lists of any length (EVSE data, statuses, pricing, tokens, CDRs): read record by record, under the larger body limit. */
  bulk?: boolean;
}

export interface SoapVariant {
  request: string;
  response: string;
  /** The request member that selects this variant when writing a request. */
  when: string;
  /** The answer member that marks this variant's answer, when no request element says which it answers. */
  answers?: string;
  /** The first release that has the variant. */
  since?: SoapRelease;
}

const soap = (service: SoapService, request: string, response = ACKNOWLEDGEMENT_ELEMENT, more: Pick<SoapForm, 'variants' | 'bulk'> = {}): SoapForm => ({ service, request, response, ...more });
const BULK = { bulk: true };

const op = <O extends OicpOperation>(operation: O) => operation;

export const OPERATIONS = {
  PushEvseData: op({ service: 'evsepush/v23', party: 'operator', resource: 'data-records', caller: 'CPO', request: M.PushEvseDataRequest, response: T.Acknowledgement, soap: soap('evsedata', 'eRoamingPushEvseData', ACKNOWLEDGEMENT_ELEMENT, BULK), timeoutMs: 120_000 }),
  PushEvseStatus: op({ service: 'evsepush/v21', party: 'operator', resource: 'status-records', caller: 'CPO', request: M.PushEvseStatusRequest, response: T.Acknowledgement, soap: soap('evsestatus', 'eRoamingPushEvseStatus', ACKNOWLEDGEMENT_ELEMENT, BULK), timeoutMs: 60_000 }),
  PullEvseData: op({
    service: 'evsepull/v23',
    party: 'provider',
    resource: 'data-records',
    caller: 'EMP',
    request: M.PullEvseDataRequest,
    response: M.EvseDataPage,
    partyField: 'ProviderID',
    // A delta cannot be combined with a radial search: the EMP's copy would go inconsistent.
    exclusive: [['SearchCenter', 'LastCall']],
    paged: { defaultSize: 20, maxSize: 2000 },
    soap: soap('evsedata', 'eRoamingPullEvseData', 'eRoamingEvseData', BULK),
    timeoutMs: 120_000,
    retry: 'idempotent',
  }),
  PullEvseStatus: op({
    service: 'evsepull/v21',
    party: 'provider',
    resource: 'status-records',
    caller: 'EMP',
    request: M.PullEvseStatusRequest,
    response: M.EvseStatusResponse,
    partyField: 'ProviderID',
    // All statuses, by EvseID, or by OperatorID: the three variants of the request.
    exclusive: [['SearchCenter', 'EvseID', 'OperatorID']],
    soap: soap('evsestatus', 'eRoamingPullEvseStatus', 'eRoamingEvseStatus', {
      ...BULK,
      // Partners' parsers look for eRoamingEvseStatusById / EvseStatusRecords, letter case included.
      variants: [
        { when: 'EvseID', request: 'eRoamingPullEvseStatusById', response: 'eRoamingEvseStatusById', answers: 'EVSEStatusRecords' },
        { when: 'OperatorID', request: 'eRoamingPullEvseStatusByOperatorID', response: 'eRoamingEvseStatus', since: '2.2' },
      ],
    }),
    timeoutMs: 60_000,
    retry: 'idempotent',
  }),
  AuthorizeStart: op({ service: 'charging/v21', party: 'operator', resource: 'authorize/start', caller: 'CPO', servedBy: 'EMP', request: T.AuthorizeStart, response: T.AuthorizationStart, partyField: 'OperatorID', soap: soap('authorization', 'eRoamingAuthorizeStart', 'eRoamingAuthorizationStart'), timeoutMs: 10_000, retry: 'once-on-reset' }),
  AuthorizeStop: op({ service: 'charging/v21', party: 'operator', resource: 'authorize/stop', caller: 'CPO', servedBy: 'EMP', request: T.AuthorizeStop, response: T.AuthorizationStop, partyField: 'OperatorID', soap: soap('authorization', 'eRoamingAuthorizeStop', 'eRoamingAuthorizationStop'), timeoutMs: 10_000 }),
  AuthorizeRemoteStart: op({ service: 'charging/v21', party: 'provider', resource: 'authorize-remote/start', caller: 'EMP', servedBy: 'CPO', request: T.AuthorizeRemoteStart, response: T.Acknowledgement, partyField: 'ProviderID', soap: soap('authorization', 'eRoamingAuthorizeRemoteStart'), timeoutMs: 30_000 }),
  AuthorizeRemoteStop: op({ service: 'charging/v21', party: 'provider', resource: 'authorize-remote/stop', caller: 'EMP', servedBy: 'CPO', request: T.AuthorizeRemoteStop, response: T.Acknowledgement, partyField: 'ProviderID', soap: soap('authorization', 'eRoamingAuthorizeRemoteStop'), timeoutMs: 30_000 }),
  AuthorizeRemoteReservationStart: op({
    service: 'reservation/v11',
    party: 'provider',
    resource: 'reservation-start-request',
    caller: 'EMP',
    servedBy: 'CPO',
    request: T.AuthorizeRemoteReservationStart,
    response: T.Acknowledgement,
    partyField: 'ProviderID',
    soap: soap('reservation', 'eRoamingAuthorizeRemoteReservationStart'),
    timeoutMs: 30_000,
  }),
  AuthorizeRemoteReservationStop: op({
    service: 'reservation/v11',
    party: 'provider',
    resource: 'reservation-stop-request',
    caller: 'EMP',
    servedBy: 'CPO',
    request: T.AuthorizeRemoteReservationStop,
    response: T.Acknowledgement,
    partyField: 'ProviderID',
    soap: soap('reservation', 'eRoamingAuthorizeRemoteReservationStop'),
    timeoutMs: 30_000,
  }),
  ChargeDetailRecord: op({ service: 'cdrmgmt/v22', party: 'operator', resource: 'charge-detail-record', caller: 'CPO', servedBy: 'EMP', request: T.ChargeDetailRecord, response: T.Acknowledgement, soap: soap('authorization', 'eRoamingChargeDetailRecord'), timeoutMs: 60_000 }),
  GetChargeDetailRecords: op({
    service: 'cdrmgmt/v22',
    party: 'provider',
    resource: 'get-charge-detail-records-request',
    caller: 'EMP',
    request: M.GetChargeDetailRecordsRequest,
    response: M.ChargeDetailRecordPage,
    partyField: 'ProviderID',
    paged: { defaultSize: 20, maxSize: 2000 },
    soap: soap('authorization', 'eRoamingGetChargeDetailRecords', 'eRoamingChargeDetailRecords', BULK),
    timeoutMs: 120_000,
    retry: 'idempotent',
  }),
  ChargingNotification: op({ service: 'notificationmgmt/v11', party: 'none', resource: 'charging-notifications', caller: 'CPO', servedBy: 'EMP', request: T.ChargingNotification, response: T.Acknowledgement, soap: soap('notificationmgmt', 'eRoamingChargingNotification'), timeoutMs: 30_000 }),
  PushAuthenticationData: op({ service: 'authdata/v21', party: 'provider', resource: 'push-request', caller: 'EMP', request: M.PushAuthenticationDataRequest, response: T.Acknowledgement, soap: soap('authenticationdata', 'eRoamingPushAuthenticationData', ACKNOWLEDGEMENT_ELEMENT, BULK), timeoutMs: 120_000 }),
  PushPricingProductData: op({ service: 'dynamicpricing/v10', party: 'operator', resource: 'pricing-products', caller: 'CPO', request: M.PushPricingProductDataRequest, response: T.Acknowledgement, soap: soap('dynamicpricing', 'eRoamingPushPricingProductData', ACKNOWLEDGEMENT_ELEMENT, BULK), timeoutMs: 60_000 }),
  PushEvsePricing: op({ service: 'dynamicpricing/v10', party: 'operator', resource: 'evse-pricing', caller: 'CPO', request: M.PushEvsePricingRequest, response: T.Acknowledgement, soap: soap('dynamicpricing', 'eRoamingPushEVSEPricing', ACKNOWLEDGEMENT_ELEMENT, BULK), timeoutMs: 60_000 }),
  PullPricingProductData: op({ service: 'dynamicpricing/v10', party: 'provider', resource: 'pricing-products', caller: 'EMP', request: M.PullPricingProductDataRequest, response: M.PricingProductDataResponse, soap: soap('dynamicpricing', 'eRoamingPullPricingProductData', 'eRoamingPricingProductData', BULK), timeoutMs: 60_000, retry: 'idempotent' }),
  PullEvsePricing: op({ service: 'dynamicpricing/v10', party: 'provider', resource: 'evse-pricing', caller: 'EMP', request: M.PullEvsePricingRequest, response: M.EvsePricingResponse, partyField: 'ProviderID', soap: soap('dynamicpricing', 'eRoamingPullEVSEPricing', 'eRoamingEVSEPricing', BULK), timeoutMs: 60_000, retry: 'idempotent' }),
};

export type OperationName = keyof typeof OPERATIONS;
export type RequestOf<N extends OperationName> = Static<(typeof OPERATIONS)[N]['request']>;
export type ResponseOf<N extends OperationName> = Static<(typeof OPERATIONS)[N]['response']>;
export type PagedOperation = { [N in OperationName]: (typeof OPERATIONS)[N] extends { paged: object } ? N : never }[OperationName];
export type PageItemOf<N extends PagedOperation> = ResponseOf<N>['content'][number];

export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

export const OICP_BASE_PATH = '/api/oicp';

/** The path of an operation below the base URL, with the party id (as written, URL-encoded) or an Express parameter. */
export function operationPath(name: OperationName, partyId: string | { param: string }): string {
  const operation: OicpOperation = OPERATIONS[name];
  const id = typeof partyId === 'string' ? encodeURIComponent(partyId) : `:${partyId.param}`;
  const party = operation.party === 'none' ? '' : `/${operation.party}s/${id}`;
  return `${OICP_BASE_PATH}/${operation.service}${party}/${operation.resource}`;
}

/** The operations a participant serves: Hubject serves every call; a partner serves what Hubject forwards to its role. */
export function servedOperations(by: OicpRole | 'HUB'): OperationName[] {
  return OPERATION_NAMES.filter((name) => (by === 'HUB' ? true : (OPERATIONS[name] as OicpOperation).servedBy === by));
}

/** The operations a participant sends: a partner sends its role's calls; Hubject forwards the partner-served ones. */
export function calledOperations(by: OicpRole | 'HUB'): OperationName[] {
  return OPERATION_NAMES.filter((name) => {
    const operation: OicpOperation = OPERATIONS[name];
    return by === 'HUB' ? operation.servedBy !== undefined : operation.caller === by;
  });
}

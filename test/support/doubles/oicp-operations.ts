import { basename } from 'node:path';
import { officialBodies, officialPaths, oicpErrors } from '../oicp-schema';
import { isObject } from './http';

/**
 * The OICP 2.3 operations the Hubject double serves, located by the resource file each official
 * OpenAPI document points to: paths and request schemas come from Hubject's files, not from us.
 * An operation belongs to the document of the partner that sends it to the hub (CPO pushes, EMP pulls).
 */
export const SERVED_OPERATIONS = [
  { name: 'PushEvseData', api: 'cpo', resource: 'eRoamingPushEvseData_V2.3.yaml' },
  { name: 'PushEvseStatus', api: 'cpo', resource: 'eRoamingPushEvseStatus_V2.1.yaml' },
  { name: 'AuthorizeStart', api: 'cpo', resource: 'eRoamingAuthorizeStart_V2.1.yaml' },
  { name: 'AuthorizeStop', api: 'cpo', resource: 'eRoamingAuthorizeStop_V2.1.yaml' },
  { name: 'ChargeDetailRecord', api: 'cpo', resource: 'eRoamingChargeDetailRecord_V2.2.yaml' },
  { name: 'ChargingNotification', api: 'cpo', resource: 'eRoamingChargingNotifications_V1.1.yaml' },
  { name: 'PushPricingProductData', api: 'cpo', resource: 'eRoamingPushPricingProductData_V1.0.yaml' },
  { name: 'PushEVSEPricing', api: 'cpo', resource: 'eRoamingPushEVSEPricing_V1.0.yaml' },
  { name: 'PullEvseData', api: 'emp', resource: 'eRoamingPullEvseData_V2.3.yaml' },
  { name: 'PullEvseStatus', api: 'emp', resource: 'eRoamingPullEvseStatus_V2.1.yaml' },
  { name: 'GetChargeDetailRecords', api: 'emp', resource: 'eRoamingGetChargeDetailRecords_V2.2.yaml' },
  { name: 'PullPricingProductData', api: 'emp', resource: 'eRoamingPullPricingProductData_V1.0.yaml' },
  { name: 'PullEVSEPricing', api: 'emp', resource: 'eRoamingPullEVSEPricing_V1.0.yaml' },
] as const;

export type OperationName = (typeof SERVED_OPERATIONS)[number]['name'];
export const OPERATION_NAMES: readonly OperationName[] = SERVED_OPERATIONS.map((o) => o.name);

/** The base path Hubject serves OICP 2.3 under (`servers` of both documents). */
export const OICP_BASE = '/api/oicp';

export interface ServedOperation {
  name: OperationName;
  api: 'cpo' | 'emp';
  /** The official path template, e.g. `/evsepush/v23/operators/{operatorID}/data-records`. */
  template: string;
  regex: RegExp;
  /** The official schema files of the request and of the 200 answer (several where the document offers a oneOf). */
  requestSchemas: string[];
  responseSchemas: string[];
}

function locate(api: 'cpo' | 'emp', resource: string): string {
  const entry = Object.entries(officialPaths(api)).find(([, ref]) => basename(ref.$ref) === resource);
  if (!entry) throw new Error(`openapi-${api} has no path for ${resource}`);
  return entry[0];
}

let served: ServedOperation[] | undefined;

export function servedOperations(): ServedOperation[] {
  served ??= SERVED_OPERATIONS.map(({ name, api, resource }) => {
    const template = locate(api, resource);
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)');
    // Read once: the files are parsed per call by officialBodies, far too slow for hundreds of requests a second.
    const schemas = (part: 'request' | 'response') => officialBodies(api, template, part).map((file) => basename(file, '.yaml'));
    return { name, api, template, regex: new RegExp(`^${OICP_BASE}${pattern}$`), requestSchemas: schemas('request'), responseSchemas: schemas('response') };
  });
  return served;
}

/** The operation at a request path, with the party id of its path (operator or provider), if any. */
export function operationAt(pathname: string): { operation: ServedOperation; party?: string } | undefined {
  for (const operation of servedOperations()) {
    const match = operation.regex.exec(pathname);
    if (match) return { operation, party: match[1] === undefined ? undefined : decodeURIComponent(match[1]) };
  }
  return undefined;
}

const NOTIFICATION_SCHEMAS: Record<string, string> = {
  Start: 'eRoamingChargingNotificationStart',
  Progress: 'eRoamingChargingNotificationProgress',
  End: 'eRoamingChargingNotificationEnd',
  Error: 'eRoamingChargingNotificationError',
};

/**
 * Errors of a request body against the official request schema of its operation; [] when valid.
 * A charging notification is checked against the schema its `Type` names: the four official
 * schemas do not pin `Type`, so an End notification (which carries ChargingStart) also fits the
 * Start schema and "any of the four" would accept an End without ChargingEnd.
 */
export function requestErrors(operation: ServedOperation, body: unknown): string[] {
  if (operation.name === 'ChargingNotification' && isObject(body) && typeof body.Type === 'string' && NOTIFICATION_SCHEMAS[body.Type]) {
    return oicpErrors(operation.api, NOTIFICATION_SCHEMAS[body.Type]!, body);
  }
  return bestFit(operation.api, operation.requestSchemas, body);
}

/** Errors of an answer of the double against the official 200-response schema (the doubles' own tests use it). */
export const responseErrors = (operation: ServedOperation, body: unknown): string[] => bestFit(operation.api, operation.responseSchemas, body);

/** [] when `body` fits one of the schemas, else the errors of the closest one (oneOf bodies: PullEvseStatus). */
function bestFit(api: 'cpo' | 'emp', schemas: string[], body: unknown): string[] {
  const attempts = schemas.map((name) => oicpErrors(api, name, body));
  return attempts.find((errors) => errors.length === 0) ?? attempts.reduce((best, errors) => (errors.length < best.length ? errors : best));
}

/** The official request schema files of an operation (for its examples). */
export const requestSchemaFiles = (operation: ServedOperation): string[] => officialBodies(operation.api, operation.template, 'request');

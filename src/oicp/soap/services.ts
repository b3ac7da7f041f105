/**
 * The SOAP services of OICP 2.x: each has its own XML namespace
 * (`http://www.hubject.com/b2b/services/<service>/<version>`) and, here, its own endpoint path. The
 * versions are those of OICP 2.2, the last SOAP release; notificationmgmt never had a SOAP form at
 * Hubject and is carried by the same rules so that every operation exists in both encodings.
 */
export const SOAP_SERVICES = {
  evsedata: { prefix: 'EVSEData', version: 'v2.2' },
  evsestatus: { prefix: 'EVSEStatus', version: 'v2.1' },
  authorization: { prefix: 'Authorization', version: 'v2.1' },
  reservation: { prefix: 'Reservation', version: 'v1.1' },
  authenticationdata: { prefix: 'AuthenticationData', version: 'v2.1' },
  dynamicpricing: { prefix: 'DynamicPricing', version: 'v1.0' },
  notificationmgmt: { prefix: 'NotificationMgmt', version: 'v1.1' },
  commontypes: { prefix: 'CommonTypes', version: 'v2.0' },
} as const;

export type SoapService = keyof typeof SOAP_SERVICES;

export const SOAP_BASE_PATH = '/ws';
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export function soapNamespace(service: SoapService): string {
  return `http://www.hubject.com/b2b/services/${service}/${SOAP_SERVICES[service].version}`;
}

/** Where a service's operations are posted, below the base URL. */
export function soapPath(service: SoapService): string {
  return `${SOAP_BASE_PATH}/${service}/${SOAP_SERVICES[service].version}`;
}

/** The one answer element every service shares, in the CommonTypes namespace. */
export const ACKNOWLEDGEMENT_ELEMENT = 'eRoamingAcknowledgement';

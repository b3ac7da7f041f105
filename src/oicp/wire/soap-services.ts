/**
 * The SOAP services of OICP 2.x and the namespace each release gave them
 * (`http://www.hubject.com/b2b/services/<service>/<version>`). A service kept its namespace across
 * releases where its messages did not change, so a namespace names the service's content rules,
 * and the request's namespace is the one its answer is written in.
 *
 * Sources: 2.0 — Hubject's published WSDL/XSD set (fixtures/oicp-2x/official); 2.1 — Hubject's
 * published 2.1 request templates (evsedata v2.1, authorization and commontypes v2.0) and the
 * 2.1 services of partners' implementations (evsestatus and authenticationdata v2.0, reservation
 * v1.0); 2.2 — the service list of Hubject's 2.2 documents (authorization v2.1, reservation v1.1,
 * authenticationdata v2.1, evsedata v2.2, evsestatus v2.1, dynamicpricing v1.0) and commontypes
 * v2.1, which a partner's implementation moved to after testing against Hubject. notificationmgmt
 * never had a SOAP form at Hubject: it is carried in the 2.2 style so every operation exists in
 * both encodings (docs/oicp-soap.md).
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-charging-notification (src/oicp/errata.ts).
export const SOAP_RELEASES = ['2.0', '2.1', '2.2'] as const;
export type SoapRelease = (typeof SOAP_RELEASES)[number];
/** The release written when nothing asks for another: the last SOAP release. */
export const LATEST_RELEASE: SoapRelease = '2.2';

interface ServiceVersions {
  prefix: string;
  /** The namespace version per release that has the service. */
  namespaces: Partial<Record<SoapRelease, string>>;
}

export const SOAP_SERVICES = {
  evsedata: { prefix: 'EVSEData', namespaces: { '2.0': 'v2.0', '2.1': 'v2.1', '2.2': 'v2.2' } },
  evsestatus: { prefix: 'EVSEStatus', namespaces: { '2.0': 'v2.0', '2.1': 'v2.0', '2.2': 'v2.1' } },
  authorization: { prefix: 'Authorization', namespaces: { '2.0': 'v2.0', '2.1': 'v2.0', '2.2': 'v2.1' } },
  reservation: { prefix: 'Reservation', namespaces: { '2.1': 'v1.0', '2.2': 'v1.1' } },
  authenticationdata: { prefix: 'AuthenticationData', namespaces: { '2.0': 'v2.0', '2.1': 'v2.0', '2.2': 'v2.1' } },
  dynamicpricing: { prefix: 'DynamicPricing', namespaces: { '2.2': 'v1.0' } },
  notificationmgmt: { prefix: 'NotificationMgmt', namespaces: { '2.2': 'v1.1' } },
  commontypes: { prefix: 'CommonTypes', namespaces: { '2.0': 'v2.0', '2.1': 'v2.0', '2.2': 'v2.1' } },
} as const satisfies Record<string, ServiceVersions>;

export type SoapService = keyof typeof SOAP_SERVICES;
const SERVICES = Object.keys(SOAP_SERVICES) as SoapService[];

export const SOAP_BASE_PATH = '/ws';

/** The service a path beneath SOAP_BASE_PATH names (`/authorization/v2.1`), for a fault about it; authorization when it names none. */
export function serviceAt(path: string): SoapService {
  const named = path.split('/')[1] ?? '';
  return Object.hasOwn(SOAP_SERVICES, named) ? (named as SoapService) : 'authorization';
}
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const NAMESPACE_BASE = 'http://www.hubject.com/b2b/services/';

const versionOf = (service: SoapService, release: SoapRelease): string | undefined => (SOAP_SERVICES[service].namespaces as ServiceVersions['namespaces'])[release];

/** Whether the release has the service at all (reservation came with 2.1, dynamic pricing with 2.2). */
export function hasService(service: SoapService, release: SoapRelease): boolean {
  return versionOf(service, release) !== undefined;
}

/** The service's namespace in a release; the latest release's where the service is younger than the release. */
export function soapNamespace(service: SoapService, release: SoapRelease = LATEST_RELEASE): string {
  return `${NAMESPACE_BASE}${service}/${versionOf(service, release) ?? versionOf(service, LATEST_RELEASE)!}`;
}

/**
 * The service and release of a namespace. Where releases share a namespace their messages are the
 * same, so the latest of them is named: its rules are the namespace's rules.
 */
export function releaseOfNamespace(uri: string): { service: SoapService; release: SoapRelease } | undefined {
  if (!uri.startsWith(NAMESPACE_BASE)) return undefined;
  const [service, version, ...rest] = uri.slice(NAMESPACE_BASE.length).split('/');
  if (rest.length > 0 || !SERVICES.includes(service as SoapService)) return undefined;
  const release = [...SOAP_RELEASES].reverse().find((r) => versionOf(service as SoapService, r) === version);
  return release && { service: service as SoapService, release };
}

/** The namespace versions of a service, oldest first: each has an endpoint path. */
export function serviceVersions(service: SoapService): string[] {
  return [...new Set(SOAP_RELEASES.map((release) => versionOf(service, release)).filter((v): v is string => v !== undefined))];
}

/** Where a service's operations are posted, below the base URL: a path per namespace version, any of which reads every version. */
export function soapPath(service: SoapService, release: SoapRelease = LATEST_RELEASE): string {
  return `${SOAP_BASE_PATH}/${service}/${versionOf(service, release) ?? versionOf(service, LATEST_RELEASE)!}`;
}

/** The one answer element every service shares, in the CommonTypes namespace. */
export const ACKNOWLEDGEMENT_ELEMENT = 'eRoamingAcknowledgement';

/**
 * Where the OICP side of the bridge knowingly departs from the letter of OICP 2.3 (the official
 * OpenAPI, ../shared/schemas/oicp-2.3, and Hubject's service definitions) or of the OICP 2.x SOAP
 * documents: each entry says what the document says, what the bridge does instead, why, and where.
 * Where the documents disagree with each other the bridge reads every spelling and writes the
 * leading document's. Plain data (no behaviour); test/oicp/errata.test.ts drives each entry's code
 * and docs/errata.md explains them. Gaps between OCPI and OICP are mapping decisions, not errata.
 */
import type { Erratum } from '../core/errata';

export const OICP_ERRATA = [
  {
    id: 'charging-station-id-spelling',
    spec: {
      document: 'OICP 2.3 OpenAPI',
      section: 'EvseDataRecord.yaml, PullEvseDataRecord.yaml',
      says: 'the property is ChargingStationId; the same OpenAPI’s eRoamingPushEvseData example and Hubject’s service definitions spell ChargingStationID',
    },
    bridge: 'reads both spellings and writes ChargingStationID',
    why: 'the documents disagree; the service definitions lead, and partners send either',
    where: ['src/oicp/wire/schemas.ts', 'src/mapping/location/from-oicp.ts', 'src/mapping/location/to-oicp.ts'],
  },
  {
    id: 'hub-provider-id-spelling',
    spec: {
      document: 'OICP 2.3 OpenAPI',
      section: 'eRoamingChargeDetailRecord.yaml (CPO and EMP files)',
      says: 'the CPO file defines HubProviderID, the EMP file HubProviderId; both examples spell HubProviderID',
    },
    bridge: 'reads both spellings in a CDR (each reported as a loss: OCPI has no hub provider); never writes either',
    why: 'the two halves of the same OpenAPI disagree, and Hubject fills the field, not the bridge',
    where: ['src/oicp/wire/transaction-schemas.ts', 'src/mapping/cdr.ts'],
  },
  {
    id: 'charging-facility-power-decimal',
    spec: { document: 'OICP 2.3 OpenAPI', section: 'ChargingFacility.yaml: Power', says: 'Power is an integer (kW), 0 to 999' },
    bridge: 'reads a decimal Power (22.2 kW) and writes whole kW, rounded down (a loss finding when it was not whole)',
    why: 'older clients and the 2.x text facilities give decimal powers; refusing the record would lose the EVSE',
    where: ['src/oicp/wire/schemas.ts', 'src/mapping/charging-facility.ts'],
  },
  {
    id: 'cdr-forwarder-spelling',
    spec: { document: 'OICP 2.3 OpenAPI', section: 'eRoamingGetChargeDetailRecords.yaml', says: 'the property is CDRForwarder; the example of the same file spells CDRForwarded' },
    bridge: 'reads both spellings in a GetChargeDetailRecords request; the bridge’s own requests send neither',
    why: 'the document disagrees with itself; clients built from the example send CDRForwarded',
    where: ['src/oicp/wire/messages.ts'],
  },
  {
    id: 'reservation-emp-partner-session-id-spelling',
    spec: {
      document: 'OICP 2.3 OpenAPI',
      section: 'eRoamingAuthorizeRemoteReservationStart.yaml, eRoamingAuthorizeRemoteReservationStop.yaml',
      says: 'the reservation messages spell EMPPartnerSessionId; every other message spells EMPPartnerSessionID',
    },
    bridge: 'reads both spellings in reservations and writes EMPPartnerSessionId there (EMPPartnerSessionID everywhere else)',
    why: 'the reservation service is the leading document for its own messages; partners that share one type for all messages send ID',
    where: ['src/oicp/wire/transaction-schemas.ts', 'src/mapping/command.ts'],
  },
  {
    id: 'charging-duration-definition',
    spec: {
      document: 'OICP 2.3',
      section: 'eRoamingChargingNotificationProgress: ChargingDuration',
      says: 'the leading document defines ChargingDuration by itself (the errata list in ../shared/spec/mapping.md); the OpenAPI says "Charging Duration = EventOccurred - ChargingStart", in milliseconds',
    },
    bridge:
      'writes ChargingDuration as EventOccurred - ChargingStart in milliseconds; reading, it believes the timestamps and reports a ChargingDuration more than a minute off them as a loss',
    why: 'a self-referential definition defines nothing; the OpenAPI’s reading is the only one that can be checked',
    where: ['src/mapping/session.ts'],
  },
  {
    id: 'evco-id-check-digit-optional',
    spec: { document: 'OICP 2.3 OpenAPI', section: 'EvcoID.yaml', says: 'the check digit is required in both the ISO and the DIN form' },
    bridge: 'reads EvcoIDs without check digit; writes ISO eMAIDs with one (computed and reported when the OCPI contract id lacks it)',
    why: 'the check digit should be optional (hubject/oicp#101) and Hubject forwards ids without one; what the bridge writes passes the strict pattern',
    where: ['src/oicp/wire/transaction-schemas.ts', 'src/mapping/identification.ts'],
  },
  {
    id: 'id-pattern-separator-class',
    spec: {
      document: 'OICP 2.3 OpenAPI',
      section: 'ProviderID.yaml, EvcoID.yaml patterns',
      says: 'separators are matched by `[\\*|-]` / `[\\*|\\-]`, which also admits `|`, and escape `-` (invalid in a unicode-mode regular expression)',
    },
    bridge: 'validates with `[*-]`: `*` or `-`, never `|`',
    why: 'the `|` is a regular-expression slip (alternation written inside a class): no ProviderID or EvcoID contains one, and the text of both files names only `*` and `-`',
    where: ['src/oicp/wire/vocabulary.ts', 'src/oicp/wire/transaction-schemas.ts'],
  },
  {
    id: 'string-maximum-as-max-length',
    spec: {
      document: 'OICP 2.3 OpenAPI',
      section: 'CPOPartnerSessionID / EMPPartnerSessionID (reservations), ChargingStationId',
      says: '`maximum: 250` / `maximum: 50` on a string, which JSON Schema ignores',
    },
    bridge: 'enforces them as maxLength: a longer partner session id or station id is refused (022 with the field path)',
    why: 'the evident intent is a length: Hubject’s 2020 Swagger documents (swagger-2020) give these fields maxLength 250 and 50',
    where: ['src/oicp/wire/transaction-schemas.ts', 'src/oicp/wire/schemas.ts'],
  },
  {
    id: 'energy-source-percentage-100',
    spec: { document: 'OICP 2.3 OpenAPI', section: 'EnergySource.yaml: Percentage', says: 'an integer from 0 to 99' },
    bridge: 'reads 100 (a station on one source); writes at most 99 (a loss finding)',
    why: 'a station on one source is 100 %, and refusing the record would lose the EVSE; a strict reader refuses more than 99',
    where: ['src/oicp/wire/schemas.ts', 'src/mapping/energy-mix.ts'],
  },
  {
    id: 'maximum-product-charging-power-unit',
    spec: { document: 'OICP 2.3 OpenAPI', section: 'PricingProductDataRecord.yaml: MaximumProductChargingPower', says: '"A value in kWh"' },
    bridge: 'reads and writes it as kW (OCPI max_power), the mapping rules’ default in kW',
    why: 'a charging power is a power; kWh is a unit slip (the example gives 22, an AC power)',
    where: ['src/mapping/tariff/to-oicp.ts', 'src/mapping/tariff/from-oicp.ts'],
  },
  {
    id: 'rest-any-content-type',
    spec: { document: 'OICP 2.3 OpenAPI', section: 'every operation’s requestBody', says: 'content application/json' },
    bridge: 'reads every request body to an OICP route as JSON, whatever its Content-Type',
    why: 'partners send `application/json;charset=UTF-8` and worse; the body decides, and a body that is not JSON is still refused with 022',
    where: ['src/oicp/router.ts'],
  },
  {
    id: 'rest-refusal-http-status',
    spec: {
      document: 'OICP 2.3 OpenAPI',
      section: 'responses of every operation',
      says: 'each operation defines one answer, HTTP 200 (a refusal is an eRoamingAcknowledgement with Result false and its StatusCode)',
    },
    bridge:
      'gives a refusal the HTTP status of its kind: 400 for an unreadable or schema-breaking body (022), 403 for a caller or party that may not make the call (017), 413 for a body over the limit, 500 for its own failure (021), 404/405/501 for what it does not serve (320); a business refusal (018, an AuthorizeStart answered NotAuthorized) stays at 200',
    why: 'HTTP clients, proxies and monitoring act on the status; the body still carries the OICP StatusCode a partner reads',
    where: ['src/oicp/calls.ts', 'src/oicp/router.ts', 'src/oicp/wire/status-codes.ts'],
  },
  {
    id: 'unserved-operation-320',
    spec: {
      document: 'OICP 2.3 OpenAPI; SOAP 1.1',
      section: 'StatusCode.yaml (320 "Service not available", a session code); responses of each operation',
      says: '320 is what Hubject answers when a partner’s service is unavailable; no operation defines 404, 405 or 501 answers',
    },
    bridge:
      'answers a path of no operation 404, a method other than POST 405, and an operation its role does not serve 501, each an eRoamingAcknowledgement with 320; over SOAP a Server fault with 320 in its detail',
    why: 'a caller gets an answer in OICP terms that says the service is not there, rather than an HTML error page',
    where: ['src/oicp/router.ts', 'src/oicp/calls.ts', 'src/oicp/soap-routes.ts'],
  },
  {
    id: 'soap-addressing-must-understand',
    spec: { document: 'SOAP 1.1', section: '4.2.3 mustUnderstand', says: 'a header with mustUnderstand="1" the receiver does not process must get a MustUnderstand fault' },
    bridge: 'accepts WS-Addressing headers (Action, To, ...) with mustUnderstand="1" without acting on them; any other unknown mustUnderstand header is a MustUnderstand fault',
    why: 'stacks such as WCF add them on their own, and the body element already names the operation',
    where: ['src/oicp/soap/envelope.ts'],
  },
  {
    id: 'soap-element-order-and-case',
    spec: { document: 'OICP 2.0 XSD (Hubject’s published set)', section: 'every complex type', says: 'members in xsd:sequence order, element names as spelled' },
    bridge: 'reads members in any order and element names in any letter case (EVSEID, EvseId, EvseID)',
    why: 'partners’ hand-built and generated envelopes differ in both; the names alone identify the members',
    where: ['src/oicp/soap/reader.ts', 'src/oicp/soap/plan.ts'],
  },
  {
    id: 'soap-spellings-of-any-release',
    spec: {
      document: 'OICP 2.0, 2.1, 2.2 SOAP',
      section: 'service namespaces',
      says: 'a namespace stands for one release’s content rules (2.2 authorization/v2.1 has CPOPartnerSessionID, 2.0 PartnerSessionID)',
    },
    bridge: 'reads the spellings of every release whatever the namespace, and every endpoint path accepts every release; the answer follows the request’s namespace',
    why: 'partners mix them (a 2.1 text facility in a 2.2 namespace, 2.0 element names under 2.2)',
    where: ['src/oicp/soap/plan.ts', 'src/oicp/soap-routes.ts'],
  },
  {
    id: 'soap-free-text-charging-facility',
    spec: {
      document: 'OICP 2.0 XSD; OICP 2.1',
      section: 'ChargingFacilityType',
      says: 'an enumeration of Hubject’s texts (`380 - 480V, 3-Phase ≤32A`, `DC Charging ≤50kW`, ...)',
    },
    bridge: 'reads any text for what it states (phases, DC, volts, amperes, kilowatts); a text that states no power is left out with a loss finding, never refusing the record',
    why: 'partners wrote their own words; one facility must not cost the EVSE or the push',
    where: ['src/oicp/soap/charging-facility-text.ts'],
  },
  {
    id: 'soap-page-header',
    spec: { document: 'OICP 2.0, 2.1, 2.2 SOAP', section: 'eRoamingPullEvseData, eRoamingGetChargeDetailRecords', says: 'no paging: the answer is the whole result' },
    bridge:
      'its own client asks for pages (`?page=&size=`), and the page numbers travel in a SOAP header of its own (`urn:ocpi-oicp-bridge:soap:page:1`, never mustUnderstand); an answer without it is read as one complete page (a default finding)',
    why: 'a 100,000-EVSE pull in one document is hundreds of MB; 2.x peers ignore the header and still get the whole result',
    where: ['src/oicp/soap/shapes.ts', 'src/oicp/soap/envelope.ts'],
  },
  {
    id: 'soap-charging-notification',
    spec: { document: 'OICP 2.x SOAP', section: 'services', says: 'eRoamingChargingNotification has no SOAP form (notificationmgmt is no Hubject SOAP service)' },
    bridge: 'carries it in the 2.2 style under `http://www.hubject.com/b2b/services/notificationmgmt/v1.1`',
    why: 'every operation then exists on both wires; a 2.x partner will not know it',
    where: ['src/oicp/wire/soap-services.ts', 'src/oicp/wire/operations.ts'],
  },
  {
    id: 'soap-wsdl-operation-names',
    spec: { document: 'OICP 2.0 WSDL (Hubject’s published set)', section: 'portType operations', says: 'operations are named like their request elements (eRoamingAuthorizeStart)' },
    bridge: 'the served WSDL names them without `eRoaming` (AuthorizeStart); SOAPAction and elements are unchanged',
    why: 'generic clients (strong-soap, node-soap) take an operation named like its input for "document/literal wrapped" and then find no answer: their parsed result was undefined',
    where: ['src/oicp/soap/wsdl.ts'],
  },
  {
    id: 'soap-fault-http-status',
    spec: { document: 'SOAP 1.1', section: '6.2 SOAP HTTP Response', says: 'a SOAP error while processing the request MUST be answered HTTP 500 with a Fault' },
    bridge: 'answers a body over the limit HTTP 413 and a path where no service endpoint is HTTP 404, each still with a SOAP Fault (022 and 320 in its detail)',
    why: 'proxies and clients act on 413 and 404 (a retry with the same body cannot succeed), not on a fault’s 500',
    where: ['src/oicp/soap-routes.ts', 'src/oicp/router.ts'],
  },
] as const satisfies readonly Erratum[];

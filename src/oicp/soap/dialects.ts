/**
 * How each OICP 2.x release writes the OICP 2.3 objects in XML, as differences from the 2.3 schemas:
 * element names, which members an element has and in what order, narrower enumerations, and the
 * few members whose form changed (free-text charging facilities, one-language names, a single
 * PartnerSessionID). The codec (`plan.ts`) applies these to the TypeBox schemas, so there is still
 * one object model; a release without an entry for an element writes it as 2.3 does.
 *
 * Sources (docs/oicp-soap.md): 2.0 is Hubject's published XSD set, checked in
 * fixtures/oicp-2x/official and tested against (every element list and enumeration of 2.0 below is
 * that XSD's); 2.1 is 2.0 with the changes Hubject's 2.1 templates and documents show (EVSE data
 * v2.1 adds ValueAddedServices; reservation v1.0); 2.2 is what Hubject's 2.2 documents and REST
 * templates show of the 2.2 model (structured facilities, record-level charging modes and
 * one-language station names, CPO/EMPPartnerSessionID, RFIDMifareFamilyIdentification).
 * Element contexts are named by the canonical name of the element whose members they list: the body
 * element, a member key, or the item element of a wrapped list.
 */
import type { SoapRelease } from '../wire/soap-services';

/** A member whose XML form is not its 2.3 form. */
export type Form =
  /** InfoText list written as a local-language element and an English one (`ChargingStationName`, `EnChargingStationName`). */
  | { kind: 'languages'; local: string; english: string; englishFormat?: 'localized' }
  /** ChargingFacility items written as Hubject's 2.0/2.1 text (charging-facility-text.ts). */
  | { kind: 'facilityText' }
  /** The facilities' ChargingModes written once for the record, after ChargingFacilities (2.x had them per record). */
  | { kind: 'recordModes'; after: string };

export interface Dialect {
  release: SoapRelease;
  /** XML names by `Context/Member`, or `*\/Member` for every context. */
  names: Readonly<Record<string, string>>;
  /** The members of an element, in its order; an element not listed has the 2.3 members in schema order. */
  members: Readonly<Record<string, readonly string[]>>;
  /**
   * Enumerations that differ from 2.3's, by `*\/Member` or `Context/Member`: `values` this release has,
   * `fallback` written for a 2.3 value outside them, `read` the 2.3 value a value of this release 2.3
   * lacks is read as (with a finding).
   */
  enums: Readonly<Record<string, { values: readonly string[]; fallback?: string; read?: Readonly<Record<string, string>> }>>;
  /** Members with another form, by `Context/Member`. */
  forms: Readonly<Record<string, Form>>;
  /** Elements of which only one member may be given (an XSD choice): all members, or the ones listed. */
  choices: Readonly<Record<string, 'all' | readonly string[]>>;
  /** One PartnerSessionID: the session id of the party that called the operation (2.0, 2.1). */
  partnerSession: boolean;
}

/** What every 2.x release spells differently from 2.3's JSON, or shapes so. */
const SOAP_NAMES = {
  // The by-EvseID status answer: Hubject's XSD and partners' parsers spell it this way (case matters).
  '*/EVSEStatusRecords': 'EvseStatusRecords',
  'MeterValueInBetween/meterValues': 'MeterValue',
};

const NAMES_UNTIL_2_1 = {
  ...SOAP_NAMES,
  '*/RFIDMifareFamilyIdentification': 'RFIDmifarefamilyIdentification',
  '*/EvcoID': 'EVCOID',
  '*/HotlinePhoneNumber': 'HotlinePhoneNum',
  'EvseDataRecord/EvseID': 'EvseId',
  'EvseDataRecord/ChargingStationID': 'ChargingStationId',
  'EvseStatusRecord/EvseID': 'EvseId',
  'eRoamingPullEvseStatusById/EvseID': 'EvseId',
  'eRoamingAuthorizeStart/EvseID': 'EVSEID',
  'eRoamingAuthorizeStop/EvseID': 'EVSEID',
  'eRoamingAuthorizeRemoteStart/EvseID': 'EVSEID',
  'eRoamingAuthorizeRemoteStop/EvseID': 'EVSEID',
  'eRoamingAuthorizeRemoteReservationStart/EvseID': 'EVSEID',
  'eRoamingAuthorizeRemoteReservationStop/EvseID': 'EVSEID',
};

/** The elements of Hubject's 2.0 XSD set (fixtures/oicp-2x/official), by their canonical members. */
const MEMBERS_2_0: Record<string, readonly string[]> = {
  EvseDataRecord: [
    'deltaType',
    'lastUpdate',
    'EvseID',
    'ChargingStationID',
    'ChargingStationNames',
    'Address',
    'GeoCoordinates',
    'Plugs',
    'ChargingFacilities',
    'AuthenticationModes',
    'MaxCapacity',
    'PaymentOptions',
    'Accessibility',
    'HotlinePhoneNumber',
    'AdditionalInfo',
    'GeoChargingPointEntrance',
    'IsOpen24Hours',
    'HubOperatorID',
    'ClearinghouseID',
    'IsHubjectCompatible',
    'DynamicInfoAvailable',
  ],
  Address: ['Country', 'City', 'Street', 'PostalCode', 'HouseNum', 'Floor', 'Region', 'TimeZone'],
  eRoamingPullEvseData: ['ProviderID', 'SearchCenter', 'LastCall', 'GeoCoordinatesResponseFormat'],
  eRoamingPullEvseStatus: ['ProviderID', 'SearchCenter', 'EvseStatus'],
  eRoamingPullEvseStatusById: ['ProviderID', 'EvseID'],
  eRoamingAuthorizeStart: ['SessionID', 'CPOPartnerSessionID', 'OperatorID', 'EvseID', 'Identification', 'PartnerProductID'],
  eRoamingAuthorizationStart: ['SessionID', 'CPOPartnerSessionID', 'ProviderID', 'AuthorizationStatus', 'StatusCode', 'AuthorizationStopIdentifications'],
  eRoamingAuthorizeStop: ['SessionID', 'CPOPartnerSessionID', 'OperatorID', 'EvseID', 'Identification'],
  eRoamingAuthorizationStop: ['SessionID', 'CPOPartnerSessionID', 'ProviderID', 'AuthorizationStatus', 'StatusCode'],
  eRoamingAuthorizeRemoteStart: ['SessionID', 'EMPPartnerSessionID', 'ProviderID', 'EvseID', 'Identification', 'PartnerProductID'],
  eRoamingAuthorizeRemoteStop: ['SessionID', 'EMPPartnerSessionID', 'ProviderID', 'EvseID'],
  eRoamingChargeDetailRecord: [
    'SessionID',
    'CPOPartnerSessionID',
    'PartnerProductID',
    'EvseID',
    'Identification',
    'ChargingStart',
    'ChargingEnd',
    'SessionStart',
    'SessionEnd',
    'MeterValueStart',
    'MeterValueEnd',
    'MeterValueInBetween',
    'ConsumedEnergy',
    'HubOperatorID',
    'HubProviderID',
  ],
  eRoamingGetChargeDetailRecords: ['ProviderID', 'From', 'To'],
  eRoamingAcknowledgement: ['Result', 'StatusCode', 'SessionID', 'CPOPartnerSessionID', 'EMPPartnerSessionID'],
  Identification: ['RFIDMifareFamilyIdentification', 'QRCodeIdentification', 'PlugAndChargeIdentification', 'RemoteIdentification'],
  HashedPIN: ['Value', 'Function'],
};

/** Elements whose members every 2.x release lists unlike 2.3: coordinates, and the status variants that answer only their own list. */
const MEMBERS_ALL: Record<string, readonly string[]> = {
  // 2.x XML gives longitude first (2.0 XSD, partners' 2.2 messages); 2.3's JSON lists latitude first.
  DecimalDegree: ['Longitude', 'Latitude'],
  DegreeMinuteSeconds: ['Longitude', 'Latitude'],
  eRoamingEvseStatus: ['EvseStatuses', 'StatusCode'],
  eRoamingEvseStatusById: ['EVSEStatusRecords', 'StatusCode'],
  eRoamingPullEvseStatusByOperatorID: ['ProviderID', 'OperatorID'],
};

/**
 * 2.0's enumerations where 2.3 added values (2.0 XSD: AccessibilityType, AuthenticationModeType); a
 * test compares them with the XSD. 2.3's plugs are all 2.0's (2.0 also had `Unspecified`).
 */
export const ENUMS_2_0: Dialect['enums'] = {
  // 2.3 made Accessibility a required choice without "Unspecified": a site that says nothing is read as
  // open to the public (it stays on the map; drivers are not told it is closed to them) and said.
  '*/Accessibility': {
    values: ['Unspecified', 'Free publicly accessible', 'Restricted access', 'Paying publicly accessible'],
    fallback: 'Unspecified',
    read: { Unspecified: 'Free publicly accessible' },
  },
  '*/AuthenticationModes': { values: ['NFC RFID Classic', 'NFC RFID DESFire', 'PnC', 'REMOTE', 'Direct Payment'] },
};

/** 2.0–2.2 gave charging modes per record (below), so a facility has none of its own. */
const FACILITY_UNTIL_2_2 = { ChargingFacility: ['PowerType', 'Voltage', 'Amperage', 'Power'] };

const FORMS_UNTIL_2_2: Dialect['forms'] = {
  'EvseDataRecord/ChargingStationNames': { kind: 'languages', local: 'ChargingStationName', english: 'EnChargingStationName' },
  'EvseDataRecord/ChargingModes': { kind: 'recordModes', after: 'ChargingFacilities' },
};

const FORMS_UNTIL_2_1: Dialect['forms'] = {
  ...FORMS_UNTIL_2_2,
  'EvseDataRecord/AdditionalInfo': { kind: 'languages', local: 'AdditionalInfo', english: 'EnAdditionalInfo', englishFormat: 'localized' },
  'ChargingFacilities/ChargingFacility': { kind: 'facilityText' },
};

/** The 2.0 XSD's choices (the 2.3 JSON allows the members together). */
const CHOICES_2_0: Dialect['choices'] = {
  Identification: 'all',
  GeoCoordinates: 'all',
  GeoChargingPointEntrance: 'all',
  eRoamingPullEvseData: ['SearchCenter', 'LastCall'],
};

const withMember = (list: readonly string[], member: string, after: string) => {
  const at = list.indexOf(after) + 1;
  return [...list.slice(0, at), member, ...list.slice(at)];
};

export const DIALECTS: Readonly<Record<SoapRelease, Dialect>> = {
  '2.0': { release: '2.0', names: NAMES_UNTIL_2_1, members: { ...MEMBERS_2_0, ...MEMBERS_ALL, ...FACILITY_UNTIL_2_2 }, enums: ENUMS_2_0, forms: FORMS_UNTIL_2_1, choices: CHOICES_2_0, partnerSession: true },
  '2.1': {
    release: '2.1',
    names: NAMES_UNTIL_2_1,
    members: { ...MEMBERS_2_0, ...MEMBERS_ALL, ...FACILITY_UNTIL_2_2, EvseDataRecord: withMember(MEMBERS_2_0.EvseDataRecord!, 'ValueAddedServices', 'PaymentOptions') },
    enums: ENUMS_2_0,
    forms: FORMS_UNTIL_2_1,
    choices: CHOICES_2_0,
    partnerSession: true,
  },
  '2.2': { release: '2.2', names: SOAP_NAMES, members: { ...MEMBERS_ALL, ...FACILITY_UNTIL_2_2 }, enums: {}, forms: FORMS_UNTIL_2_2, choices: {}, partnerSession: false },
};

/** A rule of a table for a member in a context: the context's own, else the one for every context. */
export function ruleFor<T>(table: Readonly<Record<string, T>>, context: string, member: string): T | undefined {
  return table[`${context}/${member}`] ?? table[`*/${member}`];
}

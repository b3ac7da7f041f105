/**
 * The XML form of the canonical OICP 2.3 objects, compiled from the same TypeBox schemas that validate
 * the JSON: the schema says which element is a list, a number, a boolean or an object; the tables
 * here hold the few places where 2.x XML differs from the JSON (attributes, wrapped lists, the
 * CommonTypes namespace, older spellings read from any release) and `dialects.ts` the differences
 * of each release. A plan is compiled once per element, release and caller and then drives both
 * the streaming reader (`reader.ts`) and the writer (`writer.ts`), so the SOAP edge has no second
 * model of any message.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-element-order-and-case, soap-spellings-of-any-release (src/oicp/errata.ts).
import type { TSchema } from '@sinclair/typebox';
import type { OicpRole } from '../wire/operations';
import { DIALECTS, ruleFor, type Form } from './dialects';
import type { SoapRelease } from '../wire/soap-services';

export const COMMON_TYPES_PREFIX = 'CommonTypes';

/** Properties written as XML attributes of their element, as in the 2.x messages (`<EvseDataRecord deltaType=".." lastUpdate="..">`). */
const ATTRIBUTES = new Set(['deltaType', 'lastUpdate', 'lang']);

/** The property that is the element's text when the others are attributes (`<InfoText lang="de">text</InfoText>`). */
export const TEXT = 'value';

/** Lists written as a wrapper element around one element per item; every other list repeats its element. */
const WRAPPED_LISTS: Readonly<Record<string, string>> = {
  Plugs: 'Plug',
  ChargingFacilities: 'ChargingFacility',
  ChargingModes: 'ChargingMode',
  AuthenticationModes: 'AuthenticationMode',
  PaymentOptions: 'PaymentOption',
  ValueAddedServices: 'ValueAddedService',
  ChargingStationNames: 'InfoText',
  AdditionalInfo: 'InfoText',
  ChargingStationLocationReference: 'InfoText',
  EvseIDProductList: 'ProductID',
  AuthorizationStopIdentifications: 'Identification',
};

/** Elements whose content is of the shared CommonTypes schema: their children are in its namespace. */
export const COMMON_TYPE_ELEMENTS = new Set(['Address', 'GeoCoordinates', 'GeoChargingPointEntrance', 'Identification', 'StatusCode', 'SearchCenter']);

/**
 * Older spellings read in any release, beyond those the dialects name and letter case: 2.1's single
 * PartnerSessionID resolves to the caller's side; the one-language names of 2.0–2.2 become InfoText.
 */
export const LANGUAGE_ELEMENTS: Readonly<Record<string, { to: string; lang: string; localized?: boolean }>> = {
  ChargingStationName: { to: 'ChargingStationNames', lang: 'de' },
  EnChargingStationName: { to: 'ChargingStationNames', lang: 'en' },
  EnAdditionalInfo: { to: 'AdditionalInfo', lang: 'en', localized: true },
};
export const PARTNER_SESSION_ELEMENT = 'PartnerSessionID';
/** 2.0–2.2 gave an EVSE record's charging modes once, for all its facilities. */
export const RECORD_MODES = { context: 'EvseDataRecord', element: 'ChargingModes', facilities: 'ChargingFacilities' };

/** Values OICP 2.3 requires that 2.x messages may lack: assumed when absent (from the element's other members where that says more), always with a finding. */
export const ASSUMED_WHEN_ABSENT: Readonly<Record<string, (element: Record<string, unknown>) => unknown>> = {
  CalibrationLawDataAvailability: () => 'Not Available',
  RenewableEnergy: () => false,
  PostalCode: () => '',
  HouseNum: () => '',
  // 2.x made the operator's name optional; its ID names it at least.
  OperatorName: (element) => element.OperatorID,
};

/** What the codec and the XSD writer read of a TypeBox schema. */
export interface SchemaShape {
  type?: string;
  properties?: Partial<Record<string, TSchema>>;
  required?: string[];
  items?: TSchema;
  enum?: string[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}
type Shape = SchemaShape;

type ScalarType = 'string' | 'number' | 'integer' | 'boolean';

export interface MemberPlan {
  /** The canonical (2.3) property. */
  key: string;
  /** Its XML local name in this release. */
  xml: string;
  schema: TSchema;
  required: boolean;
  attribute: boolean;
  /** The element's text, beside attributes (InfoText's value). */
  text: boolean;
  list: boolean;
  /** Item element of a wrapped list. */
  wrapper?: string;
  /** Type of a scalar member, or of a list's items. */
  scalar?: ScalarType;
  /** The 2.3 enumeration of a scalar (or of a list's items). */
  values?: ReadonlySet<string>;
  /** This release's narrower enumeration, and what replaces a value outside it. */
  narrowed?: { values: ReadonlySet<string>; fallback?: string };
  /** Values of this release 2.3 lacks, and the 2.3 value each is read as. */
  readAs?: ReadonlyMap<string, string>;
  /** Content without a schema (LegacyHashData): written and read as the peer gave it. */
  open: boolean;
  /** The element is in the CommonTypes namespace. */
  common: boolean;
  form?: Form;
  /** The plan of an object member, or of a list's object items. */
  child?: ObjectPlan;
}

export interface ObjectPlan {
  context: string;
  release: SoapRelease;
  caller: OicpRole;
  /** Members in writing order (this release's); attributes and text among them. */
  written: MemberPlan[];
  writtenKeys: Set<string>;
  /** Members this release writes in another element (a facility's charging modes, on its record). */
  carriedElsewhere: Set<string>;
  /** Members of which this release writes only the first present (an XSD choice); the others are lost. */
  choice?: ReadonlySet<string>;
  /** Of `written`: the attributes, the member that is the element's text, the child elements. */
  attributes: MemberPlan[];
  /** Whether any member (of `byName`, this release's or not) is an attribute: the reader looks at an element's attributes only then. */
  readsAttributes: boolean;
  text?: MemberPlan;
  elements: MemberPlan[];
  /** Every member by XML name as read: this release's names, the 2.3 names, and other releases'. */
  byName: Map<string, MemberPlan>;
  /** The same by lower-cased name: peers differ in letter case (EVSEID, EvseId, EvseID). */
  byLowerName: Map<string, MemberPlan>;
  /** How to read a child met by a qualified name as a peer wrote it (`EVSEData:EvseID`): filled by the reader as it meets them. */
  byQualifiedName: Map<string, ReadChild>;
  /**
   * The children of the first element of this plan read, in order: the reader expects the next
   * element's children in the same order (a bulk push repeats it 50,000 times) and compares each
   * name with the one expected, where a lookup by name would hash every fresh name saxes gives.
   */
  readOrder: ReadChild[];
  /** Members of the schema that are arrays and required: absent means empty. */
  requiredLists: string[];
  /** Members of the schema that are arrays, required or not. */
  lists: string[];
  /** Other required members, for the values assumed when absent. */
  required: string[];
}

/** How the reader takes a child element it has met before under the same name: the member it is, read as a one-language name or as the record's charging modes where it is one. */
export interface ReadChild {
  name: string;
  member: MemberPlan;
  language: (typeof LANGUAGE_ELEMENTS)[string] | undefined;
  modes: boolean;
}

const plans = new WeakMap<TSchema, Map<string, ObjectPlan>>();

/** The plan of an object element (compiled once). `common`: its children are in the CommonTypes namespace. */
export function planOf(schema: TSchema, context: string, release: SoapRelease, caller: OicpRole, common: boolean): ObjectPlan {
  let byKey = plans.get(schema);
  if (!byKey) plans.set(schema, (byKey = new Map<string, ObjectPlan>()));
  const key = `${context}|${release}|${caller}|${common ? 'c' : ''}`;
  let plan = byKey.get(key);
  if (!plan) {
    plan = { context, release, caller, written: [], writtenKeys: new Set(), carriedElsewhere: new Set(), attributes: [], readsAttributes: false, elements: [], byName: new Map(), byLowerName: new Map(), byQualifiedName: new Map(), readOrder: [], requiredLists: [], lists: [], required: [] };
    // Registered before its members are compiled: schemas may nest themselves through a member.
    byKey.set(key, plan);
    compile(plan, schema as Shape, common);
  }
  return plan;
}

function scalarOf(shape: Shape): ScalarType | undefined {
  if (shape.type === 'number' || shape.type === 'integer' || shape.type === 'boolean' || shape.type === 'string') return shape.type;
  return shape.enum ? 'string' : undefined;
}

function compile(plan: ObjectPlan, shape: Shape, common: boolean): void {
  const dialect = DIALECTS[plan.release];
  const { context, caller } = plan;
  const properties = Object.entries(shape.properties ?? {}).filter((entry): entry is [string, TSchema] => entry[1] !== undefined);
  const required = new Set(shape.required ?? []);
  const members = new Map<string, MemberPlan>();
  for (const [key, schema] of properties) {
    const memberShape = schema as Shape;
    const list = memberShape.type === 'array' && memberShape.items !== undefined;
    const itemShape = (list ? memberShape.items : schema) as Shape;
    const wrapper = list ? WRAPPED_LISTS[key] : undefined;
    const isObject = itemShape.type === 'object' && itemShape.properties !== undefined;
    // A wrapped list of common types (AuthorizationStopIdentifications/Identification) holds CommonTypes content too.
    const childCommon = common || COMMON_TYPE_ELEMENTS.has(key) || (wrapper !== undefined && COMMON_TYPE_ELEMENTS.has(wrapper));
    const enumRule = ruleFor(dialect.enums, context, key);
    const member: MemberPlan = {
      key,
      xml: ruleFor(dialect.names, context, key) ?? key,
      schema,
      required: required.has(key),
      attribute: ATTRIBUTES.has(key),
      text: false,
      list,
      wrapper,
      scalar: scalarOf(itemShape),
      values: itemShape.enum ? new Set(itemShape.enum) : undefined,
      narrowed: enumRule && { values: new Set(enumRule.values), fallback: enumRule.fallback },
      readAs: enumRule?.read && new Map(Object.entries(enumRule.read)),
      open: !isObject && scalarOf(itemShape) === undefined,
      common,
      form: ruleFor(dialect.forms, context, key) ?? (wrapper ? ruleFor(dialect.forms, key, wrapper) : undefined),
    };
    // Compiled with its parent (self-reference ends in planOf, which registers a plan before compiling
    // it). It was a getter compiled at first use: each member's own getter gave the members of object
    // elements each their own hidden class, in dictionary mode, and the reader's reads of a member
    // megamorphic; the bulk decode took 3% longer.
    if (isObject) member.child = planOf(itemShape as TSchema, wrapper ?? key, plan.release, caller, childCommon);
    members.set(key, member);
    if (list) plan.lists.push(key);
    if (list && member.required) plan.requiredLists.push(key);
    else if (member.required) plan.required.push(key);
  }
  // InfoText: the text beside attributes.
  const textMember = members.get(TEXT);
  if (textMember && [...members.keys()].every((k) => k === TEXT || ATTRIBUTES.has(k))) textMember.text = true;
  // 2.0/2.1's single PartnerSessionID is the caller's; the other side's has no element.
  const partnerKeys = { own: `${caller}PartnerSessionID`, other: `${caller === 'CPO' ? 'EMP' : 'CPO'}PartnerSessionID` };
  if (dialect.partnerSession && members.has(partnerKeys.own)) {
    members.get(partnerKeys.own)!.xml = PARTNER_SESSION_ELEMENT;
    members.delete(partnerKeys.other);
  }
  const order = dialect.members[context];
  plan.written = order ? order.map((key) => members.get(key)).filter((m): m is MemberPlan => m !== undefined) : [...members.values()];
  // A member this release has and 2.3 moved elsewhere (the record's charging modes): written after its neighbour, from the value it moved to.
  for (const [rule, form] of Object.entries(dialect.forms)) {
    const [formContext, key] = rule.split('/') as [string, string];
    if (form.kind === 'recordModes' && WRAPPED_LISTS[form.after] === context) plan.carriedElsewhere.add(key);
    if (formContext !== context || form.kind !== 'recordModes') continue;
    const modes = (shape.properties?.[form.after] as Shape | undefined)?.items as Shape | undefined;
    const facilityModes = modes?.properties?.[key] as Shape | undefined;
    if (!facilityModes?.items) continue;
    const virtual: MemberPlan = { key, xml: key, schema: facilityModes as TSchema, required: false, attribute: false, text: false, list: true, wrapper: WRAPPED_LISTS[key], scalar: 'string', values: new Set((facilityModes.items as Shape).enum), open: false, common, form };
    plan.written.splice(plan.written.findIndex((m) => m.key === form.after) + 1, 0, virtual);
  }
  const choice = dialect.choices[context];
  if (choice) plan.choice = new Set(choice === 'all' ? plan.written.map((m) => m.key) : choice);
  plan.writtenKeys = new Set(plan.written.map((m) => m.key));
  plan.attributes = plan.written.filter((m) => m.attribute);
  plan.text = plan.written.find((m) => m.text);
  plan.elements = plan.written.filter((m) => !m.attribute && !m.text);
  const all = [...members.values()];
  plan.readsAttributes = all.some((m) => m.attribute);
  for (const member of all) {
    plan.byName.set(member.key, member);
    plan.byLowerName.set(member.key.toLowerCase(), member);
  }
  // This release's names win over 2.3's where both read the same letters (2.0's ChargingStationId is the station's ID).
  for (const member of all.filter((m) => m.xml !== m.key)) {
    plan.byName.set(member.xml, member);
    plan.byLowerName.set(member.xml.toLowerCase(), member);
  }
  // Every release's spellings are read whatever the namespace says: peers mix them.
  for (const other of Object.values(DIALECTS)) {
    for (const member of all) {
      const name = ruleFor(other.names, context, member.key);
      if (name !== undefined && !plan.byLowerName.has(name.toLowerCase())) plan.byLowerName.set(name.toLowerCase(), member);
    }
  }
}

/**
 * The XML form of the canonical OICP 2.3 objects, driven by the same TypeBox schemas that validate the
 * JSON: the schema says which element is a list, a number or a boolean, so the SOAP edge needs no
 * second model. OICP 2.3's JSON was derived from the 2.x XML, so element names are the property
 * names; the tables below hold the few places where the XML differs (attributes, wrapped lists,
 * the CommonTypes namespace) and the older spellings read from 2.1/2.2 peers, each with a finding
 * when reading them changes or assumes something.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { FindingLog, childPath, type Finding } from '../../mapping/findings';
import type { OicpRole } from '../operations';
import type { XmlNode, XmlOut } from './xml';

export const COMMON_TYPES_PREFIX = 'CommonTypes';

/** Properties written as XML attributes of their element, as in the 2.x messages (`<EvseDataRecord deltaType=".." lastUpdate="..">`). */
export const ATTRIBUTES = new Set(['deltaType', 'lastUpdate', 'lang']);

/** The property that is the element's text when the others are attributes (`<InfoText lang="de">text</InfoText>`). */
export const TEXT = 'value';

/** Lists written as a wrapper element around one element per item; every other list repeats its element. */
export const WRAPPED_LISTS: Readonly<Record<string, string>> = {
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
};

/** Elements whose content is of the shared CommonTypes schema: their children are in its namespace. */
export const COMMON_TYPE_ELEMENTS = new Set(['Address', 'GeoCoordinates', 'GeoChargingPointEntrance', 'Identification', 'StatusCode']);

/**
 * Older spellings that differ by more than letter case (case-only ones such as 2.1's EVSEID and
 * EVCOID or 2.2's EvseId are matched without a table). `partnerSession` resolves 2.1's single
 * PartnerSessionID to the caller's side; `lang` turns 2.2's one-language names into InfoText.
 */
type Alias = { to: string; lang?: string } | { partnerSession: true };
const ALIASES: Readonly<Record<string, Alias>> = {
  HotlinePhoneNum: { to: 'HotlinePhoneNumber' },
  PartnerSessionID: { partnerSession: true },
  ChargingStationName: { to: 'ChargingStationNames', lang: 'de' },
  EnChargingStationName: { to: 'ChargingStationNames', lang: 'en' },
};

/** Values OICP 2.3 requires that 2.x messages may lack: assumed when absent, always with a finding. */
const ASSUMED_WHEN_ABSENT: Readonly<Record<string, unknown>> = {
  CalibrationLawDataAvailability: 'Not Available',
  RenewableEnergy: false,
  PostalCode: '',
  HouseNum: '',
};

const OPEN = Type.Unknown();

interface SchemaShape {
  type?: string;
  properties?: Partial<Record<string, TSchema>>;
  required?: string[];
  items?: TSchema;
}

/** Characters XML 1.0 cannot carry at all, not even escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A value as element or attribute text; characters XML cannot carry become U+FFFD, with a loss finding. */
function scalarText(value: unknown, path: string, log: FindingLog): string {
  const text = typeof value === 'string' ? value : String(value);
  const carried = text.replace(NOT_XML, '\uFFFD');
  if (carried !== text) log.loss(path, 'characters XML 1.0 cannot carry (control characters) replaced by U+FFFD');
  return carried;
}

/**
 * The content of an element holding `value` of `schema`; child elements get `prefix`, or the
 * CommonTypes prefix inside a common type. Members the schema does not know have no place in the
 * XML form: they are left out, each with a loss finding.
 */
export function toXml(schema: TSchema, value: unknown, prefix: string): { value: XmlOut; findings: Finding[] } {
  const log = new FindingLog();
  return { value: write(schema, value, prefix, '', log), findings: log.findings };
}

function write(schema: TSchema, value: unknown, prefix: string, path: string, log: FindingLog): XmlOut {
  const shape = schema as SchemaShape;
  if (value === null || typeof value !== 'object') return scalarText(value, path, log);
  // An object the schema leaves open (LegacyHashData): its members as elements, as 2.x wrote them.
  if (shape.type !== 'object' || !shape.properties) {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [`${prefix}:${key}`, write(OPEN, member, prefix, childPath(path, key), log)]));
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!(key in shape.properties)) log.loss(childPath(path, key), 'not a member of the OICP 2.3 schema; not written to XML');
  const out: Record<string, XmlOut | XmlOut[]> = {};
  for (const [key, property] of Object.entries(shape.properties)) {
    const item = record[key];
    if (item === undefined || property === undefined) continue;
    const at = childPath(path, key);
    if (ATTRIBUTES.has(key)) out[`@${key}`] = scalarText(item, at, log);
    else if (key === TEXT && Object.keys(shape.properties).every((k) => k === TEXT || ATTRIBUTES.has(k))) out['#'] = scalarText(item, at, log);
    else {
      const childPrefix = COMMON_TYPE_ELEMENTS.has(key) ? COMMON_TYPES_PREFIX : prefix;
      const items = (property as SchemaShape).items;
      if (items && Array.isArray(item)) {
        const elements = item.map((element, index) => write(items, element, childPrefix, childPath(at, index), log));
        const wrapper = WRAPPED_LISTS[key];
        out[`${prefix}:${key}`] = wrapper ? { [`${prefix}:${wrapper}`]: elements } : elements;
      } else out[`${prefix}:${key}`] = write(property, item, childPrefix, at, log);
    }
  }
  return out;
}

export interface ReadContext {
  /** Who sent the message: 2.1's PartnerSessionID is that side's session id. */
  caller: OicpRole;
}

/**
 * The canonical value of an element of `schema`, with findings for what the 2.3 form cannot carry
 * (elements it does not know) and what had to be assumed. Values that do not fit their type are
 * passed on unchanged, so the schema check that follows names them with their path.
 */
export function fromXml(schema: TSchema, node: XmlNode | XmlNode[] | undefined, context: ReadContext, path = ''): { value: unknown; findings: Finding[] } {
  const log = new FindingLog();
  const value = read(schema, node, path, context, log);
  return { value, findings: log.findings };
}

function read(schema: TSchema, node: XmlNode | XmlNode[] | undefined, path: string, context: ReadContext, log: FindingLog): unknown {
  const shape = schema as SchemaShape;
  if (shape.type === 'array' && shape.items) {
    const list = node === undefined || node === '' ? [] : Array.isArray(node) ? node : [node];
    return list.map((item, index) => read(shape.items!, item, childPath(path, index), context, log));
  }
  if (Array.isArray(node)) return node; // a repeated element where one is expected: the schema check says so
  if (shape.type === 'object' && shape.properties) return readObject(shape, node, path, context, log);
  if (shape.type === undefined) return node; // open content: as the peer wrote it
  const text = typeof node === 'object' && node !== null ? node['#text'] : node;
  if (typeof text !== 'string') return text;
  if (shape.type === 'number' || shape.type === 'integer') return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : text;
  if (shape.type === 'boolean') return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

function readObject(shape: SchemaShape, node: XmlNode | undefined, path: string, context: ReadContext, log: FindingLog): unknown {
  if (node === '' || node === undefined) node = {};
  if (typeof node !== 'object') return node;
  const properties = shape.properties!;
  // Where a schema reads two spellings (ChargingStationID and Id), an exact match wins, then the first.
  const byLowerName = new Map<string, string>();
  for (const key of Object.keys(properties)) if (!byLowerName.has(key.toLowerCase())) byLowerName.set(key.toLowerCase(), key);
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(node)) {
    if (name === '#text') {
      if (TEXT in properties) out[TEXT] = child;
      continue;
    }
    const attribute = name.startsWith('@_');
    const local = attribute ? name.slice(2) : name;
    const at = childPath(path, local);
    const alias = ALIASES[local];
    if (alias && 'partnerSession' in alias) {
      const key = context.caller === 'CPO' ? 'CPOPartnerSessionID' : 'EMPPartnerSessionID';
      const property = properties[key];
      if (property === undefined) continue;
      out[key] = read(property, child, at, context, log);
      log.defaulted(at, `OICP 2.1 PartnerSessionID read as ${key} (the ${context.caller}'s, who sent the message)`);
      continue;
    }
    if (alias && alias.lang !== undefined && alias.to in properties) {
      const names = (out[alias.to] ??= []) as unknown[];
      names.push({ lang: alias.lang, value: typeof child === 'string' ? child : '' });
      log.defaulted(at, `OICP 2.2 ${local} read as ${alias.to} in language "${alias.lang}"`);
      continue;
    }
    const key = alias && alias.to in properties ? alias.to : local in properties ? local : byLowerName.get(local.toLowerCase());
    const property = key === undefined ? undefined : properties[key];
    if (key === undefined || property === undefined) {
      if (!attribute) log.loss(at, 'not an element of OICP 2.3; not carried');
      continue;
    }
    out[key] = read(property, unwrap(key, property, child), childPath(path, key), context, log);
  }
  for (const key of shape.required ?? []) {
    if (out[key] !== undefined) continue;
    if ((properties[key] as SchemaShape | undefined)?.type === 'array') out[key] = []; // an empty repeated list leaves no element
    else if (key in ASSUMED_WHEN_ABSENT) {
      out[key] = ASSUMED_WHEN_ABSENT[key];
      log.defaulted(childPath(path, key), `absent (older OICP versions lack it); assumed ${JSON.stringify(ASSUMED_WHEN_ABSENT[key])}`);
    }
  }
  return out;
}

/** The items of a list, whether the peer wrapped them (`<Plugs><Plug>`) or repeated the element. */
function unwrap(key: string, schema: TSchema, child: XmlNode | XmlNode[]): XmlNode | XmlNode[] | undefined {
  const wrapper = WRAPPED_LISTS[key];
  if ((schema as SchemaShape).type !== 'array' || wrapper === undefined) return child;
  if (child === '') return [];
  if (Array.isArray(child) || typeof child !== 'object') return child;
  const itemName = Object.keys(child).find((name) => name.toLowerCase() === wrapper.toLowerCase());
  return itemName === undefined ? child : child[itemName];
}

/**
 * Every string the bridge writes to an OCPI peer fits the field it goes in (../shared/spec/mapping.md §5,
 * string limits): free text longer than its field is cut at a character boundary, a URL too long for an
 * optional field is left out, control characters leave 2.2.1 text — each a `loss` finding. Ids are never
 * altered here (a cut id names another object): the mappers keep them in length, and the outbound
 * schema check names any that are not. The limits are the OCPI schemas' own, as outboundSchema()
 * writes them.
 */
import type { TSchema } from '@sinclair/typebox';
import { OCPI_KIND, outboundSchema, type OcpiStringKind, type OcpiWriteVersion } from '../ocpi/schemas';
import { childPath, FindingLog, type Mapped } from './findings';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: readonly string[];
  items?: SchemaNode;
  maxLength?: number;
  [OCPI_KIND]?: OcpiStringKind;
}

// Control characters are what these look for.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1F\x7F]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1F\x7F]/g;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The longest start of `text` of at most `max` code points (how JSON Schema counts) that splits no character. */
function cut(text: string, max: number): string {
  let kept = '';
  let length = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = [...segment].length;
    if (length + size > max) break;
    kept += segment;
    length += size;
  }
  return kept;
}

const OMIT = Symbol('omit');

function fitString(node: SchemaNode, text: string, optional: boolean, version: OcpiWriteVersion, path: string, log: FindingLog): string | typeof OMIT {
  const kind = node[OCPI_KIND];
  let value = text;
  if (kind === 'text' && version === '2.2.1' && CONTROL.test(value)) {
    value = value.replace(CONTROLS, ' ');
    log.loss(path, 'OCPI strings hold no control characters (line breaks, tabs); written as spaces');
  }
  const max = node.maxLength;
  const length = [...value].length;
  if (max === undefined || length <= max) return value;
  if (kind === 'text') {
    const kept = cut(value, max);
    log.loss(path, `OCPI ${version} holds ${max} characters here; ${length - [...kept].length} cut ("${kept}")`);
    return kept;
  }
  if (kind === 'url' && optional) {
    log.loss(path, `OCPI ${version} holds URLs of ${max} characters here; this one has ${length} and is left out`);
    return OMIT;
  }
  return value;
}

function fitNode(node: SchemaNode, value: unknown, optional: boolean, version: OcpiWriteVersion, path: string, log: FindingLog): unknown {
  if (typeof value === 'string' && node.type === 'string') return fitString(node, value, optional, version, path, log);
  if (Array.isArray(value) && node.items) return value.map((item, i) => fitNode(node.items!, item, false, version, childPath(path, i), log)).filter((item) => item !== OMIT);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && node.properties) {
    const required = new Set(node.required ?? []);
    const fitted: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value) as [string, unknown][]) {
      const schema = node.properties[key];
      const result = schema === undefined ? member : fitNode(schema, member, !required.has(key), version, childPath(path, key), log);
      if (result !== OMIT) fitted[key] = result;
    }
    return fitted;
  }
  return value;
}

/** `value` with every string fitted to `schema` as written in `version`, and a finding for each change. */
export function fitOcpiStrings<T>(schema: TSchema, value: T, version: OcpiWriteVersion, path = ''): Mapped<T> {
  const log = new FindingLog();
  return log.result(fitNode(outboundSchema(schema, version) as SchemaNode, value, false, version, path, log) as T);
}

/** A mapper's OCPI 2.2.1 output fitted to its schema, the findings added to the mapper's log. */
export function writtenOcpi<T>(schema: TSchema, value: T, log: FindingLog): T {
  return log.take(fitOcpiStrings(schema, value, '2.2.1'));
}

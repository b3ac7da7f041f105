/**
 * Every string the bridge writes to an OCPI peer fits the field it goes in (../shared/spec/mapping.md §5,
 * string limits): free text longer than its field is cut at a character boundary, a URL too long for an
 * optional field is left out, control characters leave 2.2.1 text — each a `loss` finding. Ids are never
 * altered here (a cut id names another object): the mappers keep them in length, and the outbound
 * schema check names any that are not. The limits are the OCPI schemas' own, as outboundSchema()
 * writes them.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: location-address-length, location-state-length, signed-value-plain-data-length, text-characters-read-leniently (src/ocpi/errata.ts).
import type { TSchema } from '@sinclair/typebox';
import { OCPI_KIND, outboundSchema, type OcpiStringKind, type OcpiWriteVersion } from '../ocpi/wire/schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';

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

/**
 * Where the walk is: the path's segments on a stack, made into a finding path only when a finding is
 * written (a location has hundreds of fields and needs none in the common case).
 */
class Walk {
  readonly segments: (string | number)[] = [];
  constructor(
    readonly version: OcpiWriteVersion,
    readonly base: string,
    readonly log: FindingLog,
  ) {}

  loss(message: string): void {
    this.log.loss(this.segments.reduce<string>((path, segment) => childPath(path, segment), this.base), message);
  }
}

function fitString(node: SchemaNode, text: string, optional: boolean, walk: Walk): string | typeof OMIT {
  const kind = node[OCPI_KIND];
  let value = text;
  if (kind === 'text' && walk.version === '2.2.1' && CONTROL.test(value)) {
    value = value.replace(CONTROLS, ' ');
    walk.loss('OCPI strings hold no control characters (line breaks, tabs); written as spaces');
  }
  const max = node.maxLength;
  // UTF-16 length bounds the code points: only a string longer in units can be too long.
  if (max === undefined || value.length <= max) return value;
  const length = [...value].length;
  if (length <= max) return value;
  if (kind === 'text') {
    const kept = cut(value, max);
    walk.loss(`OCPI ${walk.version} holds ${max} characters here; ${length - [...kept].length} cut ("${kept}")`);
    return kept;
  }
  if (kind === 'url' && optional) {
    walk.loss(`OCPI ${walk.version} holds URLs of ${max} characters here; this one has ${length} and is left out`);
    return OMIT;
  }
  return value;
}

/** The value fitted; the same value (not a copy) where nothing needed fitting, so the common case allocates nothing. */
function fitNode(node: SchemaNode, value: unknown, optional: boolean, walk: Walk): unknown {
  if (typeof value === 'string' && node.type === 'string') return fitString(node, value, optional, walk);
  if (Array.isArray(value) && node.items) {
    let fitted: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      walk.segments.push(i);
      const result = fitNode(node.items, value[i], false, walk);
      walk.segments.pop();
      if (result === value[i] && fitted === undefined) continue;
      fitted ??= value.slice(0, i);
      if (result !== OMIT) fitted.push(result);
    }
    return fitted ?? value;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && node.properties) {
    const members = value as Record<string, unknown>;
    let fitted: Record<string, unknown> | undefined;
    for (const key in members) {
      const schema = node.properties[key];
      if (schema === undefined) continue;
      const member = members[key];
      walk.segments.push(key);
      const result = fitNode(schema, member, node.required?.includes(key) !== true, walk);
      walk.segments.pop();
      if (result === member) continue;
      fitted ??= { ...members };
      if (result === OMIT) delete fitted[key];
      else fitted[key] = result;
    }
    return fitted ?? value;
  }
  return value;
}

/** `value` with every string fitted to `schema` as written in `version`, and a finding for each change. */
export function fitOcpiStrings<T>(schema: TSchema, value: T, version: OcpiWriteVersion, path = ''): Mapped<T> {
  const log = new FindingLog();
  return log.result(fitNode(outboundSchema(schema, version) as SchemaNode, value, false, new Walk(version, path, log)) as T);
}

/** A mapper's OCPI 2.2.1 output fitted to its schema, the findings added to the mapper's log. */
export function writtenOcpi<T>(schema: TSchema, value: T, log: FindingLog): T {
  return log.take(fitOcpiStrings(schema, value, '2.2.1'));
}

/**
 * Writes canonical OICP objects as XML text by their plans (`plan.ts`). Each member is compiled once
 * per namespace prefix into a writer of its element(s) (tags made, form and list shape decided), so
 * writing a record walks no plan; elements are appended to the document in order, and a long list's
 * text moves off the heap as it is written (`text-sink.ts`). No element tree, which is what makes a
 * 5,000-record push cheap (`npm run bench`). What a release's XML cannot carry is left out and said
 * (`loss`).
 */
import { FindingLog, type Finding } from '../../core/findings';
import type { ChargingFacility, InfoText } from '../wire/schemas';
import { textOfFacility } from './charging-facility-text';
import type { Form } from './dialects';
import { COMMON_TYPES_PREFIX, type MemberPlan, type ObjectPlan } from './plan';
import { keepClassOf } from './kept-classes';
import { TextSink } from './text-sink';

/** Characters XML 1.0 cannot carry at all, not even escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_CARE = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text escaped for an element or attribute (the caller has replaced what XML cannot carry). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

/** Any text as element text: what XML cannot carry replaced by U+FFFD, markup escaped. */
export function xmlText(text: string): string {
  return escapeXml(text.replace(NOT_XML, '\uFFFD'));
}

const LANGUAGE_CODES: Readonly<Record<string, string>> = { en: 'ENG', de: 'DEU', fr: 'FRA', it: 'ITA', nl: 'NLD', es: 'SPA' };

/** `2.x ENG:text|||` (the LocalizedInfoType of the 2.0 XSD): a three-letter language, the text, three bars. */
export function localizedText(entries: InfoText[]): string {
  return entries.map(({ lang, value }) => `${LANGUAGE_CODES[lang] ?? lang.slice(0, 3).toUpperCase()}:${value}|||`).join('');
}

interface Tag {
  name: string;
  open: string;
  close: string;
  empty: string;
}

/**
 * A string made of others as one piece of text. V8 keeps a concatenation as a tree of its parts (a
 * tag made of `<`, the prefix, `:`, the name and `>` is five), and a string kept to be written many
 * times is walked part by part each time the document's text is flattened into the sink: that walk
 * was most of the encoding (bench/soap-bulk.ts). A string read back from JSON is one flat piece.
 */
const flat = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

const TAGS = new Map<string, Tag>();
/** The tags of an element name, made once. */
function tag(name: string): Tag {
  let made = TAGS.get(name);
  if (!made) TAGS.set(name, (made = { name: flat(name), open: flat(`<${name}>`), close: flat(`</${name}>`), empty: flat(`<${name}/>`) }));
  return made;
}

/** A member's tags under one namespace prefix: its element, a wrapped list's item, a two-language form's two elements. */
interface MemberTags {
  element: Tag;
  item?: Tag;
  local?: Tag;
  english?: Tag;
}

/** Tags kept on the member itself, by prefix: one property lookup per element written. */
type Tagged = MemberPlan & { tags?: Record<string, MemberTags> };

function tagsOf(member: Tagged, prefix: string): MemberTags {
  const byPrefix = (member.tags ??= {});
  let tags = byPrefix[prefix];
  if (!tags) {
    const p = member.common ? COMMON_TYPES_PREFIX : prefix;
    const form = member.form;
    tags = {
      element: tag(`${p}:${member.xml}`),
      item: member.wrapper === undefined ? undefined : tag(`${p}:${member.wrapper}`),
      local: form?.kind === 'languages' ? tag(`${p}:${form.local}`) : undefined,
      english: form?.kind === 'languages' ? tag(`${p}:${form.english}`) : undefined,
    };
    byPrefix[prefix] = tags;
  }
  return tags;
}

const INDENTS: string[] = [];
const indentOf = (depth: number) => (INDENTS[depth] ??= flat(`\n${'  '.repeat(depth)}`));

/** Appends a member's element(s), its value present and not null. */
type WriteMember = (w: XmlWriter, item: unknown, depth: number) => void;

/** A member of an object plan compiled for one namespace prefix. */
interface CompiledMember {
  member: MemberPlan;
  key: string;
  /** Written from the record's facilities rather than from a value of its own. */
  recordModes: boolean;
  /** One of an XSD choice: only the first present is written. */
  inChoice: boolean;
  write: WriteMember;
  /** The element of a plain scalar (text of any value, one element), which compact documents write joined to its neighbours' tags (`joined`). */
  plain: Tag | undefined;
  /** Its closing tag joined to the opening tag of the member at each index after it, made when first written. */
  joins: string[];
  /** Its closing tag joined to the closing tag of the element it ends (the last one made). */
  end: { of: Tag | undefined; text: string };
}

/** A plain scalar: not a list, no form, no narrowed or few values, no object or open content. */
const plainScalar = (member: MemberPlan) => !member.list && member.form === undefined && member.narrowed === undefined && !fewValues(member) && !member.open && !('child' in member);

/** Compiled members kept on the plan itself, by prefix, like the tags on members. */
type Compiled = ObjectPlan & { compiled?: Record<string, CompiledMember[]> };

function compiledOf(plan: Compiled, prefix: string): CompiledMember[] {
  const byPrefix = (plan.compiled ??= {});
  return (byPrefix[prefix] ??= plan.elements.map((member) => ({
    member,
    key: member.key,
    recordModes: member.form?.kind === 'recordModes',
    inChoice: plan.choice?.has(member.key) === true,
    write: memberWriter(member, prefix),
    plain: plainScalar(member) ? tagsOf(member, prefix).element : undefined,
    joins: [],
    end: { of: undefined, text: '' },
  })));
}

/** `</a><b>` in one piece: the tags between two plain scalars of an element, `a` at `from`, `b` at `to`. */
function joined(compiled: CompiledMember[], from: number, to: number): string {
  const joins = compiled[from]!.joins;
  return (joins[to] ??= flat(compiled[from]!.plain!.close + compiled[to]!.plain!.open));
}

/** `</a></element>` in one piece: the last plain scalar's closing tag and its element's. */
function ended(compiled: CompiledMember, element: Tag): string {
  const end = compiled.end;
  if (end.of !== element) {
    end.of = element;
    end.text = flat(compiled.plain!.close + element.close);
  }
  return end.text;
}

/** How a member's value becomes its element(s): a languages pair, one element, repeated elements, or a wrapped list. */
function memberWriter(member: MemberPlan, prefix: string): WriteMember {
  const tags = tagsOf(member, prefix);
  const form = member.form;
  if (form?.kind === 'languages') return (w, item, depth) => w.languages(form, tags, item as InfoText[], depth);
  const one = elementWriter(member);
  const element = tags.element;
  if (!member.list) return (w, item, depth) => one(w, item, element, depth);
  const itemTag = tags.item;
  if (itemTag === undefined) return (w, item, depth) => w.items(one, item as unknown[], element, depth);
  return (w, item, depth) => {
    const items = item as unknown[];
    const indent = w.pretty ? indentOf(depth) : '';
    if (items.length === 0) return w.raw(indent + element.empty);
    w.raw(indent + element.open);
    w.items(one, items, itemTag, depth + 1);
    w.raw(indent + element.close);
  };
}

type WriteElement = (w: XmlWriter, item: unknown, tag: Tag, depth: number) => void;

/** A member of few values (an enumeration, a boolean): its elements are worth making once per value. */
const fewValues = (member: MemberPlan) => member.scalar === 'boolean' || member.values !== undefined;

/**
 * A scalar element of a member with few values, made once per value: a bulk push repeats them in
 * every record, and one string in place of three pieces is less to copy into the document.
 */
function constantScalar(values: ReadonlySet<string> | undefined): WriteElement {
  const made = new Map<unknown, string>();
  return (w, item, tag, depth) => {
    // Indented documents are indented by depth: made each time.
    if (w.pretty) return w.scalar(tag, w.text(item), depth);
    let text = made.get(item);
    if (text === undefined) {
      text = flat(scalarText(tag, w.text(item), ''));
      // Only the schema's values are kept: anything else may be any text (and say a loss each time).
      if (typeof item === 'boolean' || values?.has(item as string) === true) made.set(item, text);
    }
    w.raw(text);
  };
}

/** One element of a member (or one item of a list member), by what the member holds. */
function elementWriter(member: MemberPlan): WriteElement {
  const facilityText = member.form?.kind === 'facilityText';
  const scalar: WriteElement = member.narrowed ? (w, item, tag, depth) => w.narrowed(member.narrowed!, item, tag, depth) : fewValues(member) ? constantScalar(member.values) : (w, item, tag, depth) => w.scalar(tag, w.text(item), depth);
  if (member.open) return (w, item, tag, depth) => (item !== null && typeof item === 'object' ? w.openContent(item as Record<string, unknown>, tag.name, depth) : scalar(w, item, tag, depth));
  if (!('child' in member)) return scalar;
  // The child plan is compiled lazily (plans may nest themselves), so it is taken at the first write.
  let child: ObjectPlan | undefined;
  return (w, item, tag, depth) => {
    if (item === null || typeof item !== 'object') return scalar(w, item, tag, depth);
    if (facilityText) return w.facilityText(item as ChargingFacility, tag, depth);
    w.element((child ??= member.child!), item as Record<string, unknown>, tag, depth);
  };
}

/** A scalar element's text: empty text is an empty element. */
const scalarText = (tag: Tag, escaped: string, indent: string) => (escaped === '' ? indent + tag.empty : indent + tag.open + escaped + tag.close);

/** A list's text moves to the sink in batches of about this many characters (see `items`). */
const BATCH = 4096;

export class XmlWriter {
  /** The text written and not yet moved to the sink. */
  private out = '';
  private sink?: TextSink;
  /** Batches moved to the sink: an element that saw neither one moved nor text written since it opened is empty. */
  private moved = 0;
  private readonly log = new FindingLog('own');
  private readonly path: (string | number)[] = [];

  /** `prefix`: the service's namespace prefix; `pretty`: indented, for documents people read. */
  constructor(
    private readonly prefix: string,
    private readonly release: string,
    readonly pretty = false,
  ) {}

  get findings(): Finding[] {
    return this.log.findings;
  }

  /** Takes the text written so far. */
  take(): string {
    const text = this.out;
    this.out = '';
    const sink = this.sink;
    if (sink === undefined) return text;
    this.sink = undefined;
    sink.write(text);
    return sink.text();
  }

  /** Moves the text written so far to the sink. */
  private spill(): void {
    (this.sink ??= new TextSink()).write(this.out);
    this.out = '';
    this.moved++;
  }


  raw(text: string): void {
    this.out += text;
  }

  /** An opening tag of `name` at `depth` (for indentation); `attributes` already escaped. */
  open(name: string, depth: number, attributes = '', empty = false): void {
    if (this.pretty) this.out += indentOf(depth);
    this.out += `<${name}${attributes}${empty ? '/>' : '>'}`;
  }

  close(name: string, depth: number): void {
    if (this.pretty) this.out += indentOf(depth);
    this.out += `</${name}>`;
  }

  /** An object as the element `name` (qualified), its members by `plan`; `declarations`: namespace attributes of its own. */
  object(plan: ObjectPlan, value: Record<string, unknown>, name: string, depth: number, declarations = ''): void {
    this.element(plan, value, tag(name), depth, declarations);
  }

  /** @internal An object as its element. */
  element(plan: ObjectPlan, value: Record<string, unknown>, element: Tag, depth: number, declarations = ''): void {
    const name = element.name;
    // Members met, to learn cheaply whether the value has others (the common case: it has not).
    let met = 0;
    let attributes = declarations;
    for (const member of plan.attributes) {
      const item = value[member.key];
      if (item === undefined) continue;
      met++;
      this.path.push(member.key);
      attributes += ` ${member.xml}="${this.text(item)}"`;
      this.path.pop();
    }
    const indent = this.pretty ? indentOf(depth) : '';
    const textMember = plan.text;
    if (textMember) {
      const item = value[textMember.key];
      if (item !== undefined) met++;
      if (item === undefined || item === '') this.out += `${indent}<${name}${attributes}/>`;
      else {
        this.path.push(textMember.key);
        this.out += `${indent}<${name}${attributes}>${this.text(item)}</${name}>`;
        this.path.pop();
      }
    } else {
      // Opened before its children are written, and made an empty element if none is.
      const before = this.out;
      const moved = this.moved;
      this.out += indent + (attributes === '' ? element.open : `<${name}${attributes}>`);
      const opened = this.out.length;
      let chosen: string | undefined;
      const members = compiledOf(plan, this.prefix);
      // A plain scalar whose closing tag is not yet written (its index, or -1): in a compact document
      // its closing tag and the next opening one are one piece. The document is a rope of the pieces
      // written, flattened into the sink a batch at a time, at a cost per piece (bench/soap-bulk.ts).
      let open = -1;
      for (let at = 0; at < members.length; at++) {
        const compiled = members[at]!;
        if (compiled.recordModes) {
          if (open >= 0) this.out += members[open]!.plain!.close;
          open = -1;
          this.recordModes(compiled.member, value, depth + 1);
          continue;
        }
        const item = value[compiled.key];
        if (item === undefined) continue;
        met++;
        if (item === null) continue;
        if (compiled.inChoice) {
          if (chosen !== undefined) {
            this.path.push(compiled.key);
            this.loss(`OICP ${this.release} allows one of ${[...plan.choice!].join(', ')}: ${chosen} is written`);
            this.path.pop();
            continue;
          }
          chosen = compiled.key;
        }
        this.path.push(compiled.key);
        if (compiled.plain !== undefined && !this.pretty) {
          const escaped = this.text(item);
          this.path.pop();
          if (escaped !== '') {
            this.out += open >= 0 ? joined(members, open, at) : compiled.plain.open;
            this.out += escaped;
            open = at;
            continue;
          }
          if (open >= 0) this.out += members[open]!.plain!.close;
          open = -1;
          this.out += compiled.plain.empty;
          continue;
        }
        if (open >= 0) this.out += members[open]!.plain!.close;
        open = -1;
        compiled.write(this, item, depth + 1);
        this.path.pop();
      }
      // Nothing moves to the sink unless something was written (see `items`), so `before` is still the text before the element.
      if (open >= 0) this.out += ended(members[open]!, element);
      else if (this.out.length === opened && this.moved === moved) this.out = `${before}${indent}<${name}${attributes}/>`;
      else this.out += indent + element.close;
    }
    if (Object.keys(value).length !== met) {
      for (const key in value) {
        if (value[key] !== undefined && !plan.writtenKeys.has(key) && !plan.carriedElsewhere.has(key)) this.unwritten(plan, key);
      }
    }
  }

  /** A member the value has that this release has no element for. */
  private unwritten(plan: ObjectPlan, key: string): void {
    this.path.push(key);
    this.loss(plan.byName.has(key) ? `no element in OICP ${plan.release}'s ${plan.context}; not written` : 'not a member of the OICP 2.3 schema; not written to XML');
    this.path.pop();
  }

  /** @internal A list's items, each as the element `tag`. */
  items(one: WriteElement, items: unknown[], tag: Tag, depth: number): void {
    // The items (a push's records) move to the sink a batch at a time, while their pieces are young:
    // kept as strings, every piece lived to the end of the document, and the collector copying them
    // between generations, then the flat copy of the whole, were most of the encoding (bench:
    // soap-bulk). Only after an item wrote something: an element opened before it is then not empty.
    for (let i = 0; i < items.length; i++) {
      const length = this.out.length;
      this.path.push(i);
      one(this, items[i], tag, depth);
      this.path.pop();
      if (this.out.length > BATCH && this.out.length !== length) this.spill();
    }
  }

  /** @internal A value of a release with a narrower enumeration: outside it, the fallback or nothing. */
  narrowed(narrowed: NonNullable<MemberPlan['narrowed']>, item: unknown, tag: Tag, depth: number): void {
    let value = item;
    if (typeof item === 'string' && !narrowed.values.has(item)) {
      if (narrowed.fallback === undefined) {
        this.loss(`"${item}" is not a value of OICP ${this.release}; left out`);
        return;
      }
      this.loss(`"${item}" is not a value of OICP ${this.release}; written as "${narrowed.fallback}"`);
      value = narrowed.fallback;
    }
    this.scalar(tag, this.text(value), depth);
  }

  /** @internal */
  scalar(tag: Tag, escaped: string, depth: number): void {
    this.out += scalarText(tag, escaped, this.pretty ? indentOf(depth) : '');
  }

  /** @internal Content without a schema: its members as elements, as 2.x wrote them. */
  openContent(value: Record<string, unknown>, name: string, depth: number): void {
    const indent = this.pretty ? indentOf(depth) : '';
    this.out += `${indent}<${name}>`;
    const prefix = name.slice(0, name.indexOf(':') + 1);
    for (const [key, member] of Object.entries(value)) {
      if (member !== null && typeof member === 'object') this.openContent(member as Record<string, unknown>, `${prefix}${key}`, depth + 1);
      else this.scalar(tag(`${prefix}${key}`), this.text(member), depth + 1);
    }
    this.out += `${indent}</${name}>`;
  }

  /** @internal InfoText list as a local-language element and an English one: one of each, the rest is lost. */
  languages(form: Extract<Form, { kind: 'languages' }>, tags: MemberTags, names: InfoText[], depth: number): void {
    const local = names.find((n) => n.lang !== 'en');
    if (local) {
      if (local.lang !== 'de') this.loss(`${form.local} carries no language; "${local.lang}" is read back as "de"`);
      this.scalar(tags.local!, this.text(local.value), depth);
    }
    const english = form.englishFormat === 'localized' ? names.filter((n) => n !== local) : names.filter((n) => n.lang === 'en').slice(0, 1);
    if (english.length > 0) this.scalar(tags.english!, this.text(form.englishFormat === 'localized' ? localizedText(english) : english[0]!.value), depth);
    const left = names.length - (local ? 1 : 0) - english.length;
    if (left > 0) this.loss(`${left} more name(s): OICP 2.x has one ${form.local} and one ${form.english}; not written`);
  }

  /** @internal */
  facilityText(facility: ChargingFacility, tag: Tag, depth: number): void {
    const { text, exact } = textOfFacility(facility);
    if (!exact) this.loss(`written as OICP 2.1's "${text}"; its exact power, voltage and amperage are not carried`);
    this.scalar(tag, escapeXml(text), depth);
  }

  /** The facilities' charging modes, once for the record; facilities with different modes lose the difference. */
  private recordModes(member: MemberPlan, record: Record<string, unknown>, depth: number): void {
    const facilities = (record[(member.form as { after: string }).after] as ChargingFacility[] | undefined) ?? [];
    if (facilities.length === 0) return;
    const modes = facilities.length === 1 ? (facilities[0]!.ChargingModes ?? []) : [...new Set(facilities.flatMap((f) => f.ChargingModes ?? []))];
    if (modes.length === 0) return;
    this.path.push(member.key);
    if (facilities.some((f) => (f.ChargingModes ?? []).length !== modes.length)) this.loss('OICP 2.x gives charging modes per record: every facility is said to support all of them');
    const tags = tagsOf(member, this.prefix);
    const indent = this.pretty ? indentOf(depth) : '';
    this.out += indent + tags.element.open;
    for (const mode of modes) this.scalar(tags.item!, mode, depth + 1);
    this.path.pop();
    this.out += indent + tags.element.close;
  }

  /** @internal A scalar as text (at the current path): what XML cannot carry becomes U+FFFD, with a loss finding. */
  text(value: unknown): string {
    // Numbers and booleans never need escaping.
    if (typeof value !== 'string') return String(value);
    const text = value;
    if (!NEEDS_CARE.test(text)) return text;
    const carried = text.replace(NOT_XML, '\uFFFD');
    if (carried !== text) this.loss('characters XML 1.0 cannot carry (control characters) replaced by U+FFFD');
    return escapeXml(carried);
  }

  private loss(message: string): void {
    this.log.loss(pathText(this.path), message);
  }
}

// Its class outlives every document (kept-classes.ts).
keepClassOf(new XmlWriter('', ''));

/** `a.b[2].c` from path segments. */
export function pathText(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) path += typeof segment === 'number' ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  return path;
}

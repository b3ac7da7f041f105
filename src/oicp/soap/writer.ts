/**
 * Writes canonical OICP objects as XML text by their plans (`plan.ts`). Tags are made once per member
 * and namespace prefix, and the output is one string built by concatenation (taken in chunks by
 * a stream): no element tree, no intermediate strings but the escaped values, which is what makes a
 * 5,000-record push cheap (`npm run bench`). What a release's XML cannot carry is left out and said
 * (`loss`).
 */
import { FindingLog, type Finding } from '../../core/findings';
import type { ChargingFacility, InfoText } from '../wire/schemas';
import { textOfFacility } from './charging-facility-text';
import type { Form } from './dialects';
import { COMMON_TYPES_PREFIX, type MemberPlan, type ObjectPlan } from './plan';

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
function localizedText(entries: InfoText[]): string {
  return entries.map(({ lang, value }) => `${LANGUAGE_CODES[lang] ?? lang.slice(0, 3).toUpperCase()}:${value}|||`).join('');
}

interface Tag {
  name: string;
  open: string;
  close: string;
  empty: string;
}

const TAGS = new Map<string, Tag>();
/** The tags of an element name, made once. */
function tag(name: string): Tag {
  let made = TAGS.get(name);
  if (!made) TAGS.set(name, (made = { name, open: `<${name}>`, close: `</${name}>`, empty: `<${name}/>` }));
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
const indentOf = (depth: number) => (INDENTS[depth] ??= `\n${'  '.repeat(depth)}`);

export class XmlWriter {
  // One string built by concatenation: V8 keeps it as a rope and flattens it once, when taken; an array of
  // pieces joined at the end cost a quarter of the encoding time in the join alone (bench: soap-bulk).
  private out = '';
  private readonly log = new FindingLog();
  private readonly path: (string | number)[] = [];

  /** `prefix`: the service's namespace prefix; `pretty`: indented, for documents people read. */
  constructor(
    private readonly prefix: string,
    private readonly release: string,
    private readonly pretty = false,
  ) {}

  get findings(): Finding[] {
    return this.log.findings;
  }

  /** Takes the text written so far (a stream writes it out in pieces). */
  take(): string {
    const text = this.out;
    this.out = '';
    return text;
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
    if (this.pretty) this.out += indentOf(depth);
    const textMember = plan.text;
    if (textMember) {
      const item = value[textMember.key];
      if (item !== undefined) met++;
      if (item === undefined || item === '') this.out += `<${name}${attributes}/>`;
      else {
        this.path.push(textMember.key);
        this.out += `<${name}${attributes}>${this.text(item)}</${name}>`;
        this.path.pop();
      }
    } else {
      // The children are written on their own, so an object without any becomes an empty element.
      const before = this.out;
      this.out = '';
      let chosen: string | undefined;
      for (const member of plan.elements) {
        if (member.form?.kind === 'recordModes') {
          this.recordModes(member, value, depth + 1);
          continue;
        }
        const item = value[member.key];
        if (item === undefined) continue;
        met++;
        if (item === null) continue;
        if (plan.choice?.has(member.key)) {
          if (chosen !== undefined) {
            this.path.push(member.key);
            this.loss(`OICP ${this.release} allows one of ${[...plan.choice].join(', ')}: ${chosen} is written`);
            this.path.pop();
            continue;
          }
          chosen = member.key;
        }
        this.path.push(member.key);
        this.member(member, item, depth + 1);
        this.path.pop();
      }
      if (this.out === '') this.out = `${before}<${name}${attributes}/>`;
      else {
        const children = this.out;
        this.out = before + (attributes === '' ? tag(name).open : `<${name}${attributes}>`) + children;
        if (this.pretty) this.out += indentOf(depth);
        this.out += tag(name).close;
      }
    }
    if (Object.keys(value).length === met) return;
    for (const key in value) {
      if (value[key] !== undefined && !plan.writtenKeys.has(key) && !plan.carriedElsewhere.has(key)) this.unwritten(plan, key);
    }
  }

  /** A member the value has that this release has no element for. */
  private unwritten(plan: ObjectPlan, key: string): void {
    this.path.push(key);
    this.loss(plan.byName.has(key) ? `no element in OICP ${plan.release}'s ${plan.context}; not written` : 'not a member of the OICP 2.3 schema; not written to XML');
    this.path.pop();
  }

  private member(member: MemberPlan, item: unknown, depth: number): void {
    const tags = tagsOf(member, this.prefix);
    if (member.form?.kind === 'languages') return this.languages(member.form, tags, item as InfoText[], depth);
    if (!member.list) return this.element(member, item, tags.element, depth);
    const items = item as unknown[];
    if (tags.item === undefined) {
      for (let i = 0; i < items.length; i++) {
        this.path.push(i);
        this.element(member, items[i], tags.element, depth);
        this.path.pop();
      }
      return;
    }
    if (this.pretty) this.out += indentOf(depth);
    if (items.length === 0) {
      this.out += tags.element.empty;
      return;
    }
    this.out += tags.element.open;
    for (let i = 0; i < items.length; i++) {
      this.path.push(i);
      this.element(member, items[i], tags.item, depth + 1);
      this.path.pop();
    }
    if (this.pretty) this.out += indentOf(depth);
    this.out += tags.element.close;
  }

  /** One element of a member (or one item of a list member). */
  private element(member: MemberPlan, item: unknown, tag: Tag, depth: number): void {
    if (member.child && item !== null && typeof item === 'object') {
      if (member.form?.kind === 'facilityText') return this.facilityText(item as ChargingFacility, tag, depth);
      return this.object(member.child, item as Record<string, unknown>, tag.name, depth);
    }
    if (member.open && item !== null && typeof item === 'object') return this.openContent(item as Record<string, unknown>, tag.name, depth);
    let value = item;
    const narrowed = member.narrowed;
    if (narrowed && typeof item === 'string' && !narrowed.values.has(item)) {
      if (narrowed.fallback === undefined) return this.loss(`"${item}" is not a value of OICP ${this.release}; left out`);
      this.loss(`"${item}" is not a value of OICP ${this.release}; written as "${narrowed.fallback}"`);
      value = narrowed.fallback;
    }
    this.scalar(tag, this.text(value), depth);
  }

  private scalar(tag: Tag, escaped: string, depth: number): void {
    if (this.pretty) this.out += indentOf(depth);
    this.out += escaped === '' ? tag.empty : tag.open + escaped + tag.close;
  }

  /** Content without a schema: its members as elements, as 2.x wrote them. */
  private openContent(value: Record<string, unknown>, name: string, depth: number): void {
    this.open(name, depth);
    const prefix = name.slice(0, name.indexOf(':') + 1);
    for (const [key, member] of Object.entries(value)) {
      if (member !== null && typeof member === 'object') this.openContent(member as Record<string, unknown>, `${prefix}${key}`, depth + 1);
      else this.scalar(tag(`${prefix}${key}`), this.text(member), depth + 1);
    }
    this.close(name, depth);
  }

  /** InfoText list as a local-language element and an English one: one of each, the rest is lost. */
  private languages(form: Extract<Form, { kind: 'languages' }>, tags: MemberTags, names: InfoText[], depth: number): void {
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

  private facilityText(facility: ChargingFacility, tag: Tag, depth: number): void {
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
    if (this.pretty) this.out += indentOf(depth);
    this.out += tags.element.open;
    for (const mode of modes) this.scalar(tags.item!, mode, depth + 1);
    if (this.pretty) this.out += indentOf(depth);
    this.out += tags.element.close;
    this.path.pop();
  }

  /** A scalar as text (at the current path): what XML cannot carry becomes U+FFFD, with a loss finding. */
  private text(value: unknown): string {
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

/** `a.b[2].c` from path segments. */
export function pathText(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) path += typeof segment === 'number' ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  return path;
}

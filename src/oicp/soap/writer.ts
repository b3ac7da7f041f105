/**
 * Writes canonical OICP objects as XML text by their plans (`plan.ts`), straight into a string: no
 * element tree is built, text is escaped only where it needs it, and a record list can be written
 * record by record into a stream. What a release's XML cannot carry is left out and said (`loss`).
 */
import { FindingLog, type Finding } from '../../mapping/findings';
import type { ChargingFacility, InfoText } from '../schemas';
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
export function localizedText(entries: InfoText[]): string {
  return entries.map(({ lang, value }) => `${LANGUAGE_CODES[lang] ?? lang.slice(0, 3).toUpperCase()}:${value}|||`).join('');
}

export class XmlWriter {
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

  /** An opening tag at `depth` (for indentation); `attributes` already escaped. */
  open(name: string, depth: number, attributes = '', empty = false): void {
    this.out += `${this.pretty ? `\n${'  '.repeat(depth)}` : ''}<${name}${attributes}${empty ? '/>' : '>'}`;
  }

  close(name: string, depth: number, hadChildren: boolean): void {
    this.out += `${this.pretty && hadChildren ? `\n${'  '.repeat(depth)}` : ''}</${name}>`;
  }

  /** An object as the element `name` (qualified), its members by `plan`; `declarations`: namespace attributes of its own. */
  object(plan: ObjectPlan, value: Record<string, unknown>, name: string, depth: number, declarations = ''): void {
    let attributes = declarations;
    for (const member of plan.written) {
      if (!member.attribute) continue;
      const item = value[member.key];
      if (item === undefined) continue;
      this.path.push(member.key);
      attributes += ` ${member.xml}="${this.text(item)}"`;
      this.path.pop();
    }
    const textMember = plan.written.find((m) => m.text);
    if (textMember) {
      const item = value[textMember.key];
      if (item === undefined || item === '') this.open(name, depth, attributes, true);
      else {
        this.path.push(textMember.key);
        this.out += `${this.pretty ? `\n${'  '.repeat(depth)}` : ''}<${name}${attributes}>${this.text(item)}</${name}>`;
        this.path.pop();
      }
      this.unwritten(plan, value);
      return;
    }
    const mark = this.out.length;
    this.open(name, depth, attributes);
    const start = this.out.length;
    for (const member of plan.written) {
      if (member.attribute) continue;
      if (member.form?.kind === 'recordModes') {
        this.recordModes(member, value, depth + 1);
        continue;
      }
      const item = value[member.key];
      if (item === undefined || item === null) continue;
      this.path.push(member.key);
      this.member(member, item, depth + 1);
      this.path.pop();
    }
    if (this.out.length === start) {
      this.out = this.out.slice(0, mark);
      this.open(name, depth, attributes, true);
    } else this.close(name, depth, true);
    this.unwritten(plan, value);
  }

  /** Members the value has that this release has no element for. */
  private unwritten(plan: ObjectPlan, value: Record<string, unknown>): void {
    for (const key in value) {
      if (value[key] === undefined || plan.writtenKeys.has(key) || plan.carriedElsewhere.has(key)) continue;
      this.path.push(key);
      this.loss(plan.byName.has(key) ? `no element in OICP ${plan.release}'s ${plan.context}; not written` : 'not a member of the OICP 2.3 schema; not written to XML');
      this.path.pop();
    }
  }

  private qualified(member: MemberPlan, name = member.xml): string {
    return `${member.common ? COMMON_TYPES_PREFIX : this.prefix}:${name}`;
  }

  private member(member: MemberPlan, item: unknown, depth: number): void {
    const form = member.form;
    if (form?.kind === 'languages') return this.languages(member, form, item as InfoText[], depth);
    if (!member.list) return this.element(member, item, this.qualified(member), depth);
    const items = item as unknown[];
    if (!member.wrapper) {
      for (let i = 0; i < items.length; i++) {
        this.path.push(i);
        this.element(member, items[i], this.qualified(member), depth);
        this.path.pop();
      }
      return;
    }
    const wrapper = this.qualified(member);
    if (items.length === 0) return this.open(wrapper, depth, '', true);
    this.open(wrapper, depth);
    const itemName = this.qualified(member, member.wrapper);
    for (let i = 0; i < items.length; i++) {
      this.path.push(i);
      this.element(member, items[i], itemName, depth + 1);
      this.path.pop();
    }
    this.close(wrapper, depth, true);
  }

  /** One element of a member (or one item of a list member). */
  private element(member: MemberPlan, item: unknown, name: string, depth: number): void {
    if (member.child && item !== null && typeof item === 'object') {
      if (member.form?.kind === 'facilityText') return this.facilityText(item as ChargingFacility, name, depth);
      return this.object(member.child, item as Record<string, unknown>, name, depth);
    }
    if (member.open && item !== null && typeof item === 'object') return this.open_(item as Record<string, unknown>, name, depth);
    let text = item;
    const narrowed = member.narrowed;
    if (narrowed && typeof item === 'string' && !narrowed.values.has(item)) {
      if (narrowed.fallback === undefined) return this.loss(`"${item}" is not a value of OICP ${this.release}; left out`);
      this.loss(`"${item}" is not a value of OICP ${this.release}; written as "${narrowed.fallback}"`);
      text = narrowed.fallback;
    }
    const escaped = this.text(text);
    this.out += escaped === '' ? `${this.pretty ? `\n${'  '.repeat(depth)}` : ''}<${name}/>` : `${this.pretty ? `\n${'  '.repeat(depth)}` : ''}<${name}>${escaped}</${name}>`;
  }

  /** Content without a schema: its members as elements, as 2.x wrote them. */
  private open_(value: Record<string, unknown>, name: string, depth: number): void {
    this.open(name, depth);
    for (const [key, member] of Object.entries(value)) {
      const child = `${name.slice(0, name.indexOf(':') + 1)}${key}`;
      if (member !== null && typeof member === 'object') this.open_(member as Record<string, unknown>, child, depth + 1);
      else this.out += `${this.pretty ? `\n${'  '.repeat(depth + 1)}` : ''}<${child}>${this.text(member)}</${child}>`;
    }
    this.close(name, depth, true);
  }

  /** InfoText list as a local-language element and an English one: one of each, the rest is lost. */
  private languages(member: MemberPlan, form: Extract<Form, { kind: 'languages' }>, names: InfoText[], depth: number): void {
    const english = names.filter((n) => n.lang === 'en');
    const local = names.find((n) => n.lang !== 'en');
    if (local) {
      if (local.lang !== 'de') this.loss(`${form.local} carries no language; "${local.lang}" is read back as "de"`);
      this.element({ ...member, list: false, form: undefined }, local.value, this.qualified(member, form.local), depth);
    }
    const writtenEnglish = form.englishFormat === 'localized' ? names.filter((n) => n !== local) : english.slice(0, 1);
    if (writtenEnglish.length > 0) {
      const text = form.englishFormat === 'localized' ? localizedText(writtenEnglish) : writtenEnglish[0]!.value;
      this.element({ ...member, list: false, form: undefined }, text, this.qualified(member, form.english), depth);
    }
    const left = names.length - (local ? 1 : 0) - writtenEnglish.length;
    if (left > 0) this.loss(`${left} more name(s): OICP 2.x has one ${form.local} and one ${form.english}; not written`);
  }

  private facilityText(facility: ChargingFacility, name: string, depth: number): void {
    const { text, exact } = textOfFacility(facility);
    if (!exact) this.loss(`written as OICP 2.1's "${text}"; its exact power, voltage and amperage are not carried`);
    this.out += `${this.pretty ? `\n${'  '.repeat(depth)}` : ''}<${name}>${escapeXml(text)}</${name}>`;
  }

  /** The facilities' charging modes, once for the record; facilities with different modes lose the difference. */
  private recordModes(member: MemberPlan, record: Record<string, unknown>, depth: number): void {
    const facilities = (record[(member.form as { after: string }).after] as ChargingFacility[] | undefined) ?? [];
    const modes = [...new Set(facilities.flatMap((f) => f.ChargingModes ?? []))];
    if (modes.length === 0) return;
    if (facilities.some((f) => (f.ChargingModes ?? []).length !== modes.length)) {
      this.path.push(member.key);
      this.loss('OICP 2.x gives charging modes per record: every facility is said to support all of them');
      this.path.pop();
    }
    this.member({ ...member, form: undefined }, modes, depth);
  }

  /** A scalar as text (at the current path): what XML cannot carry becomes U+FFFD, with a loss finding. */
  private text(value: unknown): string {
    const text = typeof value === 'string' ? value : String(value);
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

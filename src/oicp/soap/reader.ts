/**
 * Reads SOAP 1.1 envelopes from strangers safely and in one pass, as text arrives: a SAX tokenizer
 * (saxes) feeds a builder that types every element by its plan (`plan.ts`) and builds the canonical
 * 2.3 value directly, record by record; no tree of the document is ever held, and a record list can
 * be handed out record by record (`onItem`) so memory stays flat in the number of records.
 *
 * Safety: a document type declaration is refused as soon as it appears (it is the door for external
 * entities (XXE) and entity expansion, and OICP messages never need one); saxes knows only the
 * five predefined entities and character references; nesting is capped. The envelope is checked
 * as SOAP 1.1 demands: another envelope namespace is a VersionMismatch, a header that must be
 * understood is a MustUnderstand fault, anything else amiss is the Client's.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-element-order-and-case (src/oicp/errata.ts).
import { SaxesParser, type SaxesTag } from 'saxes';
import { FindingLog, type Finding } from '../../core/findings';
import type { ChargingFacility, InfoText } from '../wire/schemas';
import { facilityFromText } from './charging-facility-text';
import { keepClassOf } from './kept-classes';
import { ASSUMED_WHEN_ABSENT, LANGUAGE_ELEMENTS, PARTNER_SESSION_ELEMENT, RECORD_MODES, type MemberPlan, type ObjectPlan, type ReadChild } from './plan';
import { SOAP_ENVELOPE_NS } from '../wire/soap-services';
import { pathText } from './writer';

/** SOAP 1.1's fault codes (section 4.4.1). */
export type SoapFaultCode = 'VersionMismatch' | 'MustUnderstand' | 'Client' | 'Server';

/** A message that cannot be read, with the fault SOAP 1.1 says it deserves. */
export class SoapFaultError extends Error {
  constructor(
    readonly faultcode: SoapFaultCode,
    message: string,
  ) {
    super(message);
    this.name = 'SoapFaultError';
  }
}

export interface ReadLimits {
  /** Deepest element nesting accepted; OICP messages stay below 12. */
  maxDepth?: number;
}

/** What the body element is read as: a plan, or `undefined` to refuse it (the caller's own fault is thrown instead). */
export interface BodyTarget {
  plan: ObjectPlan;
  /**
   * Items of lists whose item element has this context are handed out instead of kept, with the
   * object they belong to and their own findings (which are not kept either).
   */
  onItem?: { context: string; take: (item: unknown, parent: Record<string, unknown>, findings: Finding[]) => void };
}

export interface ReadEnvelope {
  /** The body element's namespace and local name. */
  namespace: string;
  element: string;
  /** The canonical value of the body element. */
  value: unknown;
  findings: Finding[];
  /** Header entries read by their plans (by local name). */
  headers: Record<string, unknown>;
}

interface EnvelopeReading {
  /** The plan of the body element (`Fault` included), or a thrown SoapFaultError. */
  body: (namespace: string, element: string) => BodyTarget;
  /** Plans of header entries this side reads, `understood` for those it knows and ignores, by namespace and local name. */
  header?: (namespace: string, element: string) => ObjectPlan | 'understood' | undefined;
}

type FrameKind = 'object' | 'list' | 'scalar' | 'open' | 'skip';

/**
 * An element being read. One class of one shape for every kind, and reused level by level (the
 * reader keeps one per depth): frames as object literals of five shapes made the handlers' property
 * reads megamorphic, and a new frame per element was garbage for the collector.
 */
class Frame {
  kind: FrameKind = 'skip';
  /** The element's key in its parent: a member's key, a list item's index, or its local name. */
  key: string | number = '';
  /** Items repeated as elements of their parent: their list's key (`key` is then the index). */
  listKey: string | undefined = undefined;
  /** An object's plan. */
  plan: ObjectPlan | undefined = undefined;
  member: MemberPlan | undefined = undefined;
  /** An object's or open content's members. */
  value: Record<string, unknown> = {};
  /** A list's items. */
  items: unknown[] = [];
  text = '';
  /** An object's record-level charging modes (2.0–2.2), when read. */
  modes: string[] | undefined = undefined;
  /** A list that is the record-level charging modes. */
  isModes = false;
  /** An object's index per repeated-element list. */
  counts: Record<string, number> | undefined = undefined;
  /** An item handed out: the number of findings made before it started (-1: kept, not handed out). */
  findingsFrom = -1;
  /** A list's items so far, dropped ones included. */
  count = 0;
  /** A one-language name (ChargingStationName) read into its InfoText list. */
  language: (typeof LANGUAGE_ELEMENTS)[string] | undefined = undefined;
  /** An object's position in its plan's `readOrder`: the child expected next. */
  cursor = 0;

  reset(kind: FrameKind, key: string | number): this {
    this.kind = kind;
    this.key = key;
    this.listKey = undefined;
    this.plan = undefined;
    this.member = undefined;
    this.text = '';
    this.modes = undefined;
    this.isModes = false;
    this.counts = undefined;
    this.findingsFrom = -1;
    this.count = 0;
    this.language = undefined;
    this.cursor = 0;
    return this;
  }
}

// Its class outlives every document (kept-classes.ts).
keepClassOf(new Frame());

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const LANGUAGES_3: Readonly<Record<string, string>> = { ENG: 'en', DEU: 'de', GER: 'de', FRA: 'fr', FRE: 'fr', ITA: 'it', NLD: 'nl', DUT: 'nl', SPA: 'es' };

function typed(member: MemberPlan | undefined, text: string): unknown {
  const type = member?.scalar;
  if (type === 'number' || type === 'integer') return NUMBER.test(text) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

/** A frame's path segments below its parent: a repeated item is its list's key and its index. */
function ownPath(frame: Frame): (string | number)[] {
  return frame.listKey === undefined ? [frame.key] : [frame.listKey, frame.key];
}

/** Members an object built member by member keeps as fast properties (4 in the object, 12 beside it). */
const FAST_MEMBERS = 16;

/** The path below an element's parent of a finding about the element (`own`) or one of its members (`tail`). */
const below = (own: Frame | undefined, ...tail: string[]) => (own === undefined ? tail : [...ownPath(own), ...tail]);

const localOf = (name: string) => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

/** Reads one envelope fed in pieces (`write`), finished by `end`. */
export class EnvelopeReader {
  private readonly parser = new SaxesParser({ position: true });
  private readonly log = new FindingLog('own');
  private readonly maxDepth: number;
  /** Namespace declarations in scope for the envelope, header/body and body element levels. */
  private readonly scopes: Record<string, string>[] = [];
  private depth = 0;
  private state: 'start' | 'envelope' | 'header' | 'body' | 'after' = 'start';
  /** The elements being read, one frame per level (`open` frames in use; the ones above are kept for reuse). */
  private readonly frames: Frame[] = [];
  private open = 0;
  /** Depth at which the current header entry or body element started. */
  private entryDepth = 0;
  private entry: 'header' | 'body' | undefined;
  private target?: BodyTarget;
  private headerName?: string;
  private result?: { namespace: string; element: string; value: unknown };
  private readonly headers: Record<string, unknown> = {};

  constructor(
    private readonly reading: EnvelopeReading,
    limits: ReadLimits = {},
  ) {
    this.maxDepth = limits.maxDepth ?? 32;
    this.parser.on('doctype', () => {
      throw new SoapFaultError('Client', 'XML document type declarations are not accepted (external entities and entity expansion are refused)');
    });
    this.parser.on('error', (err) => {
      throw new SoapFaultError('Client', `malformed XML: ${err.message}`);
    });
    this.parser.on('opentag', (tag) => this.opened(tag));
    this.parser.on('text', (text) => this.text(text));
    this.parser.on('cdata', (text) => this.text(text));
    this.parser.on('closetag', () => this.close());
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  end(): ReadEnvelope {
    this.parser.close();
    if (this.state === 'start') throw new SoapFaultError('Client', 'not a SOAP 1.1 envelope: the document is empty');
    if (!this.result) throw new SoapFaultError('Client', 'a SOAP Body must hold exactly one element, found none');
    return { ...this.result, findings: this.log.findings, headers: this.headers };
  }

  private resolve(name: string, attributes: Record<string, string>): string {
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? 'xmlns' : `xmlns:${name.slice(0, colon)}`;
    if (attributes[prefix] !== undefined) return attributes[prefix];
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]![prefix] !== undefined) return this.scopes[i]![prefix]!;
    return '';
  }

  private opened(tag: SaxesTag): void {
    this.depth++;
    if (this.depth > this.maxDepth) throw new SoapFaultError('Client', `XML nested deeper than ${this.maxDepth} elements`);
    const attributes = tag.attributes as Record<string, string>;
    if (this.entry === undefined) {
      this.envelopeLevel(tag.name, attributes);
      return;
    }
    if (this.open === 0) {
      // A header entry's or the body element's first element.
      if (this.entry === 'header') this.openHeaderEntry(tag.name, attributes);
      else this.openBody(tag.name, attributes);
      return;
    }
    this.child(this.frames[this.open - 1]!, tag.name, attributes);
  }

  /** The frame of the next level, reset to `kind`. */
  private push(kind: FrameKind, key: string | number): Frame {
    const frame = (this.frames[this.open] ??= new Frame());
    this.open++;
    return frame.reset(kind, key);
  }

  /** Envelope, Header, Body, and the start of a header entry or of the body's one element. */
  private envelopeLevel(name: string, attributes: Record<string, string>): void {
    const namespace = this.resolve(name, attributes);
    const local = localOf(name);
    if (this.state === 'start') {
      if (local !== 'Envelope') throw new SoapFaultError('Client', `not a SOAP 1.1 envelope: the document is a ${local}`);
      if (namespace !== SOAP_ENVELOPE_NS) throw new SoapFaultError('VersionMismatch', `the envelope namespace is "${namespace}"; this service speaks SOAP 1.1 (${SOAP_ENVELOPE_NS})`);
      this.scopes.push(attributes);
      this.state = 'envelope';
      return;
    }
    if (this.state === 'envelope') {
      if (namespace !== SOAP_ENVELOPE_NS || (local !== 'Header' && local !== 'Body')) throw new SoapFaultError('Client', `a SOAP envelope holds a Header and a Body, not ${local} (${namespace})`);
      this.scopes.push(attributes);
      this.state = local === 'Header' ? 'header' : 'body';
      return;
    }
    if (this.state === 'header') {
      this.entry = 'header';
      this.entryDepth = this.depth;
      this.openHeaderEntry(name, attributes);
      return;
    }
    if (this.state === 'body') {
      if (this.result || this.open > 0) throw new SoapFaultError('Client', 'a SOAP Body must hold exactly one element, found more');
      this.entry = 'body';
      this.entryDepth = this.depth;
      this.openBody(name, attributes);
      return;
    }
    throw new SoapFaultError('Client', `nothing may follow the SOAP Body (found ${local})`);
  }

  private openHeaderEntry(name: string, attributes: Record<string, string>): void {
    const namespace = this.resolve(name, attributes);
    const local = localOf(name);
    const plan = this.reading.header?.(namespace, local);
    const mustUnderstand = Object.entries(attributes).some(([attribute, value]) => localOf(attribute) === 'mustUnderstand' && this.resolve(attribute, attributes) === SOAP_ENVELOPE_NS && (value === '1' || value === 'true'));
    if (!plan && mustUnderstand) throw new SoapFaultError('MustUnderstand', `the header ${local} (${namespace}) must be understood, and this service does not know it`);
    this.headerName = local;
    if (plan && plan !== 'understood') this.objectFrame(plan, undefined, local, attributes);
    else this.push('skip', local);
  }

  private openBody(name: string, attributes: Record<string, string>): void {
    const namespace = this.resolve(name, attributes);
    const local = localOf(name);
    this.target = this.reading.body(namespace, local);
    this.result = { namespace, element: local, value: undefined };
    this.objectFrame(this.target.plan, undefined, '', attributes);
  }

  private objectFrame(plan: ObjectPlan, member: MemberPlan | undefined, key: string | number, attributes: Record<string, string>): Frame {
    const value: Record<string, unknown> = {};
    // Most elements have no attribute member: walking saxes' attributes (an object in dictionary
    // mode) for nothing was 2% of a bulk decode.
    if (plan.readsAttributes) {
      for (const name in attributes) {
        if (name.startsWith('xmlns')) continue;
        const local = localOf(name);
        const attribute = plan.byName.get(local) ?? plan.byLowerName.get(local.toLowerCase());
        if (attribute?.attribute) value[attribute.key] = typed(attribute, attributes[name]!);
      }
    }
    const frame = this.push('object', key);
    frame.plan = plan;
    frame.member = member;
    frame.value = value;
    // An item handed out takes its findings with it: they are those made from its start on.
    if (this.target?.onItem?.context === plan.context) frame.findingsFrom = this.log.findings.length;
    return frame;
  }

  /** Opens the frame of a child element of `parent`, by the element's qualified name as written. */
  private child(parent: Frame, name: string, attributes: Record<string, string>): void {
    // Items are numbered as the peer wrote them, dropped ones included, so a finding's path finds its element.
    if (parent.kind === 'list') {
      this.item(parent.member!, parent.count++, attributes);
      return;
    }
    if (parent.kind === 'object') {
      const plan = parent.plan!;
      // The children expected, in the order of the first element of this plan: names compared, not hashed.
      const order = plan.readOrder;
      for (let i = parent.cursor; i < order.length; i++) {
        if (order[i]!.name !== name) continue;
        parent.cursor = i + 1;
        this.known(parent, order[i]!, attributes);
        return;
      }
      // Peers repeat the same few prefixed names: each is looked up once per plan.
      const known = plan.byQualifiedName.get(name);
      if (known !== undefined) {
        this.known(parent, known, attributes);
        return;
      }
    }
    const local = localOf(name);
    if (parent.kind === 'skip') {
      this.push('skip', local);
      return;
    }
    if (parent.kind === 'open') {
      this.push('open', local).value = {};
      return;
    }
    if (parent.kind === 'scalar') {
      this.finding('loss', [local], 'an element inside a value; not carried');
      this.push('skip', local);
      return;
    }
    const plan = parent.plan!;
    let member = plan.byName.get(local) ?? plan.byLowerName.get(local.toLowerCase());
    let read: ReadChild | undefined;
    if (member === undefined) {
      const language = LANGUAGE_ELEMENTS[local];
      const named = language && plan.byName.get(language.to);
      if (named) read = { name, member: named, language, modes: false };
      else if (local === PARTNER_SESSION_ELEMENT) {
        member = plan.byName.get(`${plan.caller}PartnerSessionID`);
        if (member) this.finding('default', [local], `OICP 2.1 PartnerSessionID read as ${member.key} (the ${plan.caller}'s, who sent the message)`);
      } else if (local === RECORD_MODES.element && plan.context === RECORD_MODES.context) {
        const modes = plan.byName.get(RECORD_MODES.facilities)?.child?.byName.get(RECORD_MODES.element);
        if (modes) read = { name, member: modes, language: undefined, modes: true };
      }
      if (member === undefined && read === undefined) {
        this.finding('loss', [local], 'not an element of OICP 2.3; not carried');
        this.push('skip', local);
        return;
      }
    } else if (member.xml === PARTNER_SESSION_ELEMENT && local === PARTNER_SESSION_ELEMENT) {
      this.finding('default', [local], `OICP 2.1 PartnerSessionID read as ${member.key} (the ${plan.caller}'s, who sent the message)`);
    }
    read ??= { name, member: member!, language: undefined, modes: false };
    // Remembered unless a finding is made on every meeting (PartnerSessionID). Bounded: the plans
    // live as long as the process, and a peer chooses its prefixes.
    if (local !== PARTNER_SESSION_ELEMENT) {
      // A copy: saxes' name is a slice of the text it was given, and remembered as it is it kept
      // that whole document alive for the life of the process (21 MB after a 5,000-record push).
      read.name = structuredClone(name);
      if (plan.byQualifiedName.size < 256) plan.byQualifiedName.set(read.name, read);
      if (parent.cursor === plan.readOrder.length && plan.readOrder.length < 64) {
        plan.readOrder.push(read);
        parent.cursor++;
      }
    }
    this.known(parent, read, attributes);
  }

  /** Opens the frame of a child read as met before. */
  private known(parent: Frame, read: ReadChild, attributes: Record<string, string>): void {
    const member = read.member;
    if (read.language !== undefined) {
      const frame = this.push('scalar', localOf(read.name));
      frame.member = member;
      frame.language = read.language;
      return;
    }
    if (read.modes) {
      const frame = this.push('list', localOf(read.name));
      frame.member = member;
      frame.items = [];
      frame.isModes = true;
      return;
    }
    if (member.attribute) {
      this.push('skip', member.key);
      return;
    }
    if (member.list && member.wrapper !== undefined) {
      const frame = this.push('list', member.key);
      frame.member = member;
      frame.items = [];
      return;
    }
    if (member.list) {
      const counts = (parent.counts ??= {});
      const index = counts[member.key] ?? 0;
      counts[member.key] = index + 1;
      this.item(member, index, attributes).listKey = member.key;
      return;
    }
    this.item(member, member.key, attributes);
  }

  /** One element of `member`: an item of a list (`key` its index) or the member's one element. */
  private item(member: MemberPlan, key: string | number, attributes: Record<string, string>): Frame {
    if (member.child) return this.objectFrame(member.child, member, key, attributes);
    if (member.open) {
      const frame = this.push('open', key);
      frame.value = {};
      return frame;
    }
    const frame = this.push('scalar', key);
    frame.member = member;
    return frame;
  }

  private text(text: string): void {
    if (this.open === 0) return;
    const top = this.frames[this.open - 1]!;
    if (top.kind !== 'skip') top.text += text;
  }

  private close(): void {
    this.depth--;
    if (this.entry === undefined) {
      // The end of the Header or the Body: back in the envelope, where only a Body may follow a Header.
      if (this.depth === 1) this.state = this.state === 'header' ? 'envelope' : 'after';
      return;
    }
    // The frame stays in place (for reuse) but is no longer open: findings made finishing it see the path of its parent.
    const frame = this.frames[--this.open]!;
    if (this.open === 0) {
      const value = this.finish(frame, undefined);
      if (this.entry === 'header') {
        if (frame.kind === 'object') this.headers[this.headerName!] = value;
      } else this.result!.value = value;
      this.entry = undefined;
      return;
    }
    const value = this.finish(frame, frame);
    if (value === undefined || frame.kind === 'skip') return;
    this.assign(frame, this.frames[this.open - 1]!, value);
  }

  private assign(frame: Frame, parent: Frame, value: unknown): void {
    if (parent.kind === 'list') {
      if (frame.findingsFrom >= 0) this.take(value, frame.findingsFrom);
      else parent.items.push(value);
      return;
    }
    if (parent.kind === 'open') {
      const existing = parent.value[frame.key];
      parent.value[frame.key] = existing === undefined ? value : Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
      return;
    }
    if (parent.kind !== 'object') return;
    if (frame.language !== undefined) {
      this.languages(frame, parent, value as string);
      return;
    }
    if (frame.isModes) {
      parent.modes = value as string[];
      return;
    }
    const listKey = frame.listKey;
    if (listKey !== undefined) {
      if (frame.findingsFrom >= 0) return this.take(value, frame.findingsFrom);
      const list = (parent.value[listKey] ??= []) as unknown[];
      list.push(value);
      return;
    }
    parent.value[frame.member?.key ?? String(frame.key)] = value;
  }

  /** Hands a finished item out, with the object it belongs to (its list's owner) and its findings. */
  private take(item: unknown, findingsFrom: number): void {
    let owner: Record<string, unknown> = {};
    for (let i = this.open - 1; i >= 0; i--) {
      const frame = this.frames[i]!;
      if (frame.kind === 'object') {
        owner = frame.value;
        break;
      }
    }
    this.target!.onItem!.take(item, owner, this.log.findings.splice(findingsFrom));
  }

  /**
   * The value of a finished element, or undefined when it is dropped. `own`: the element, whose
   * path below its parent's a finding made here ends with (none for the body element or a header
   * entry); the path is made only for a finding.
   */
  private finish(frame: Frame, own: Frame | undefined): unknown {
    switch (frame.kind) {
      case 'skip':
        return undefined;
      case 'scalar': {
        const text = frame.text.trim();
        const member = frame.member;
        if (member?.list && member.values && !member.values.has(text)) {
          this.finding('loss', below(own), `"${text}" is not a value of OICP 2.3; left out`);
          return undefined;
        }
        const readAs = member?.readAs?.get(text);
        if (readAs !== undefined) {
          this.finding('default', below(own), `"${text}" is not a value of OICP 2.3; read as "${readAs}"`);
          return readAs;
        }
        return typed(member, text);
      }
      case 'open': {
        const text = frame.text.trim();
        return Object.keys(frame.value).length === 0 ? text : frame.value;
      }
      case 'list': {
        const text = frame.text.trim();
        // 2.0/2.1 AdditionalInfo: text where 2.2 has InfoText items.
        if (frame.items.length === 0 && text !== '' && frame.member!.child?.byName.has('lang')) {
          this.finding('default', below(own), `text read as one ${frame.member!.key} entry in language "de"`);
          return [{ lang: 'de', value: text }];
        }
        return frame.items;
      }
      case 'object':
        return this.finishObject(frame, own);
    }
  }

  private finishObject(frame: Frame, own: Frame | undefined): unknown {
    const plan = frame.plan!;
    const value = frame.value;
    const text = frame.text.trim();
    const textMember = plan.text;
    if (textMember) value[textMember.key] = text;
    else if (text !== '' && Object.keys(value).length === 0 && plan.context === 'ChargingFacility') return this.facilityText(text, own);
    if (frame.modes) this.recordModes(value, frame.modes, own);
    // A list grown by push holds room for 16 more items: the copy holds just its items. Records with
    // a dozen short lists were twice the heap of the same records from JSON.parse, and the
    // collector copies all of it.
    for (const key of plan.lists) {
      const list = value[key];
      if (Array.isArray(list)) value[key] = list.slice();
    }
    for (const key of plan.requiredLists) value[key] ??= [];
    for (const key of plan.required) {
      const assumed = value[key] === undefined ? ASSUMED_WHEN_ABSENT[key]?.(value) : undefined;
      if (assumed === undefined) continue;
      value[key] = assumed;
      this.finding('default', below(own, key), `absent (older OICP versions lack it); assumed ${JSON.stringify(assumed)}`);
    }
    // Members are added by computed name, and V8 turns an object given more than 16 that way into a
    // dictionary: a record (34 members) was one, five times its size and slower to read. A copy is
    // an object of fast properties, like JSON.parse's.
    return plan.elements.length > FAST_MEMBERS ? { ...value } : value;
  }

  /** A 2.0/2.1 facility in words: read for what they say, never refusing the record. */
  private facilityText(text: string, own: Frame | undefined): ChargingFacility | undefined {
    const read = facilityFromText(text);
    if (read.facility === undefined) {
      this.finding('loss', below(own), `${read.lost}; facility left out`);
      return undefined;
    }
    if (read.assumed !== undefined) this.finding('default', below(own), read.assumed);
    return read.facility;
  }

  /** Record-level charging modes (2.0–2.2) given to each facility that names none. */
  private recordModes(record: Record<string, unknown>, modes: string[], own: Frame | undefined): void {
    const facilities = record[RECORD_MODES.facilities] as ChargingFacility[] | undefined;
    if (!facilities || facilities.length === 0) {
      this.finding('loss', below(own, RECORD_MODES.element), 'charging modes of a record without charging facilities; not carried');
      return;
    }
    for (const facility of facilities) facility.ChargingModes ??= modes as ChargingFacility['ChargingModes'];
    // With one facility the record's modes are the facility's; with more, each is assumed to have them all.
    if (facilities.length > 1)
      this.finding('default', below(own, RECORD_MODES.element), 'the record’s charging modes (OICP 2.x) given to each of its charging facilities');
  }

  /** A one-language name (ChargingStationName, EnAdditionalInfo) added to its InfoText list. */
  private languages(frame: Frame, parent: Frame, text: string): void {
    const language = frame.language!;
    const list = (parent.value[language.to] ??= []) as InfoText[];
    if (language.localized) {
      const entries = [...text.matchAll(/([A-Za-z]{2,3}):(.*?)\|\|\|/gs)].map(([, code, value]) => ({ lang: LANGUAGES_3[code!.toUpperCase()] ?? code!.toLowerCase(), value: value! }));
      list.push(...(entries.length > 0 ? entries : [{ lang: language.lang, value: text }]));
    } else list.push({ lang: language.lang, value: text });
    // Only the local-language element leaves its language to be assumed.
    if (language.lang !== 'en') this.finding('default', [frame.key], `read as ${language.to} in language "${language.lang}" (the element names no language)`);
  }

  /** A finding at the current element's path plus `tail`. */
  private finding(kind: 'loss' | 'default', tail: (string | number)[], message: string): void {
    const segments: (string | number)[] = [];
    // The body element and header entries are the root; their own key is not part of the path.
    for (let i = 1; i < this.open; i++) segments.push(...ownPath(this.frames[i]!));
    const path = pathText([...segments, ...tail]);
    if (kind === 'loss') this.log.loss(path, message);
    else this.log.defaulted(path, message);
  }
}

/**
 * The XML of a canonical object by its plan, written the plain way: a recursive walk of the plan that
 * returns each element as a string, nothing compiled, cached, batched or moved off the heap. The
 * writer (`src/oicp/soap/writer.ts`) must write what this writes, text and findings, whatever its
 * shortcuts; the tests compare the two on varied messages.
 */
import { FindingLog, type Finding } from '../../src/core/findings';
import { textOfFacility } from '../../src/oicp/soap/charging-facility-text';
import { COMMON_TYPES_PREFIX, type MemberPlan, type ObjectPlan } from '../../src/oicp/soap/plan';
import { escapeXml, localizedText, pathText, xmlText } from '../../src/oicp/soap/writer';
import type { ChargingFacility, InfoText } from '../../src/oicp/wire/schemas';

export function referenceXml(plan: ObjectPlan, value: Record<string, unknown>, name: string, depth: number, options: { prefix: string; release: string; pretty: boolean }): { text: string; findings: Finding[] } {
  const { prefix, release, pretty } = options;
  const log = new FindingLog();
  const path: (string | number)[] = [];
  const at = <T>(segment: string | number, write: () => T): T => {
    path.push(segment);
    try {
      return write();
    } finally {
      path.pop();
    }
  };
  const loss = (message: string) => log.loss(pathText(path), message);
  const indent = (d: number) => (pretty ? `\n${'  '.repeat(d)}` : '');

  const text = (item: unknown): string => {
    if (typeof item !== 'string') return String(item);
    const carried = xmlText(item);
    if (carried !== escapeXml(item)) loss('characters XML 1.0 cannot carry (control characters) replaced by U+FFFD');
    return carried;
  };
  const scalar = (element: string, escaped: string, d: number) => (escaped === '' ? `${indent(d)}<${element}/>` : `${indent(d)}<${element}>${escaped}</${element}>`);
  const qualified = (member: MemberPlan, local: string) => `${member.common ? COMMON_TYPES_PREFIX : prefix}:${local}`;

  function object(objectPlan: ObjectPlan, item: Record<string, unknown>, element: string, d: number): string {
    let attributes = '';
    for (const member of objectPlan.attributes) {
      if (item[member.key] !== undefined) attributes += ` ${member.xml}="${at(member.key, () => text(item[member.key]))}"`;
    }
    let written: string;
    if (objectPlan.text) {
      const key = objectPlan.text.key;
      written = item[key] === undefined || item[key] === '' ? `${indent(d)}<${element}${attributes}/>` : `${indent(d)}<${element}${attributes}>${at(key, () => text(item[key]))}</${element}>`;
    } else {
      let children = '';
      let chosen: string | undefined;
      for (const member of objectPlan.elements) {
        if (member.form?.kind === 'recordModes') {
          children += recordModes(member, item, d + 1);
          continue;
        }
        const child = item[member.key];
        if (child === undefined || child === null) continue;
        if (objectPlan.choice?.has(member.key)) {
          if (chosen !== undefined) {
            at(member.key, () => loss(`OICP ${release} allows one of ${[...objectPlan.choice!].join(', ')}: ${chosen} is written`));
            continue;
          }
          chosen = member.key;
        }
        children += at(member.key, () => memberXml(member, child, d + 1));
      }
      written = children === '' ? `${indent(d)}<${element}${attributes}/>` : `${indent(d)}<${element}${attributes}>${children}${indent(d)}</${element}>`;
    }
    for (const key of Object.keys(item)) {
      if (item[key] === undefined || objectPlan.writtenKeys.has(key) || objectPlan.carriedElsewhere.has(key)) continue;
      at(key, () => loss(objectPlan.byName.has(key) ? `no element in OICP ${objectPlan.release}'s ${objectPlan.context}; not written` : 'not a member of the OICP 2.3 schema; not written to XML'));
    }
    return written;
  }

  function memberXml(member: MemberPlan, item: unknown, d: number): string {
    const element = qualified(member, member.xml);
    const form = member.form;
    if (form?.kind === 'languages') return languages(form, member, item as InfoText[], d);
    if (!member.list) return one(member, item, element, d);
    const items = item as unknown[];
    const each = (itemElement: string, itemDepth: number) => items.map((x, i) => at(i, () => one(member, x, itemElement, itemDepth))).join('');
    if (member.wrapper === undefined) return each(element, d);
    if (items.length === 0) return `${indent(d)}<${element}/>`;
    return `${indent(d)}<${element}>${each(qualified(member, member.wrapper), d + 1)}${indent(d)}</${element}>`;
  }

  function one(member: MemberPlan, item: unknown, element: string, d: number): string {
    const asScalar = () => (member.narrowed ? narrowed(member.narrowed, item, element, d) : scalar(element, text(item), d));
    if (member.open) return item !== null && typeof item === 'object' ? openContent(item as Record<string, unknown>, element, d) : asScalar();
    if (!('child' in member) || item === null || typeof item !== 'object') return asScalar();
    if (member.form?.kind === 'facilityText') {
      const facility = textOfFacility(item as ChargingFacility);
      if (!facility.exact) loss(`written as OICP 2.1's "${facility.text}"; its exact power, voltage and amperage are not carried`);
      return scalar(element, escapeXml(facility.text), d);
    }
    return object(member.child!, item as Record<string, unknown>, element, d);
  }

  function narrowed(rule: NonNullable<MemberPlan['narrowed']>, item: unknown, element: string, d: number): string {
    if (typeof item !== 'string' || rule.values.has(item)) return scalar(element, text(item), d);
    if (rule.fallback === undefined) {
      loss(`"${item}" is not a value of OICP ${release}; left out`);
      return '';
    }
    loss(`"${item}" is not a value of OICP ${release}; written as "${rule.fallback}"`);
    return scalar(element, text(rule.fallback), d);
  }

  function openContent(item: Record<string, unknown>, element: string, d: number): string {
    const own = element.slice(0, element.indexOf(':') + 1);
    let children = '';
    for (const [key, child] of Object.entries(item)) {
      children += child !== null && typeof child === 'object' ? openContent(child as Record<string, unknown>, `${own}${key}`, d + 1) : scalar(`${own}${key}`, text(child), d + 1);
    }
    return `${indent(d)}<${element}>${children}${indent(d)}</${element}>`;
  }

  function languages(form: { local: string; english: string; englishFormat?: 'localized' }, member: MemberPlan, names: InfoText[], d: number): string {
    let written = '';
    const local = names.find((n) => n.lang !== 'en');
    if (local) {
      if (local.lang !== 'de') loss(`${form.local} carries no language; "${local.lang}" is read back as "de"`);
      written += scalar(qualified(member, form.local), text(local.value), d);
    }
    const english = form.englishFormat === 'localized' ? names.filter((n) => n !== local) : names.filter((n) => n.lang === 'en').slice(0, 1);
    if (english.length > 0) written += scalar(qualified(member, form.english), text(form.englishFormat === 'localized' ? localizedText(english) : english[0]!.value), d);
    const left = names.length - (local ? 1 : 0) - english.length;
    if (left > 0) loss(`${left} more name(s): OICP 2.x has one ${form.local} and one ${form.english}; not written`);
    return written;
  }

  function recordModes(member: MemberPlan, record: Record<string, unknown>, d: number): string {
    const facilities = (record[(member.form as { after: string }).after] as ChargingFacility[] | undefined) ?? [];
    // One facility's modes as they are, several facilities' once each.
    const modes = facilities.length === 1 ? (facilities[0]!.ChargingModes ?? []) : [...new Set(facilities.flatMap((f) => f.ChargingModes ?? []))];
    if (modes.length === 0) return '';
    return at(member.key, () => {
      if (facilities.some((f) => (f.ChargingModes ?? []).length !== modes.length)) loss('OICP 2.x gives charging modes per record: every facility is said to support all of them');
      return `${indent(d)}<${qualified(member, member.xml)}>${modes.map((mode) => scalar(qualified(member, member.wrapper!), mode, d + 1)).join('')}${indent(d)}</${qualified(member, member.xml)}>`;
    });
  }

  return { text: object(plan, value, name, depth), findings: log.findings };
}

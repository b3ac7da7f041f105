import type { TSchema } from '@sinclair/typebox';
import type { ChargingFacility, InfoText } from '../../src/oicp/wire/schemas';
import { planOf, type ObjectPlan } from '../../src/oicp/soap/plan';
import type { OicpRole } from '../../src/oicp/wire/operations';

/** How a generic SOAP client takes an element's attributes and its text beside them. */
export type ClientStyle = { attributes: string; text: string };
export const STRONG_SOAP: ClientStyle = { attributes: '$attributes', text: '$value' };
export const NODE_SOAP: ClientStyle = { attributes: 'attributes', text: '$value' };

/**
 * A canonical value as a generic SOAP client's arguments, by the same plan our writer writes the 2.2
 * form by: XML names, attributes and text in the client's keys, wrapped lists inside their wrapper,
 * one-language names and record-level charging modes where 2.2 has them.
 */
export function clientArgs(schema: TSchema, element: string, value: unknown, caller: OicpRole, style: ClientStyle = STRONG_SOAP): unknown {
  return argsOf(planOf(schema, element, '2.2', caller, false), value as Record<string, unknown>, style);
}

function argsOf(plan: ObjectPlan, value: Record<string, unknown>, style: ClientStyle): unknown {
  const out: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const member of plan.written) {
    const form = member.form;
    if (form?.kind === 'recordModes') {
      const modes = [...new Set(((value[form.after] as ChargingFacility[] | undefined) ?? []).flatMap((f) => f.ChargingModes ?? []))];
      if (modes.length > 0) out[member.xml] = { [member.wrapper!]: modes };
      continue;
    }
    const item = value[member.key];
    if (item === undefined) continue;
    if (member.attribute) attributes[member.xml] = item;
    else if (member.text) out[style.text] = item;
    else if (form?.kind === 'languages') {
      const names = item as InfoText[];
      const local = names.find((n) => n.lang !== 'en');
      const english = names.find((n) => n.lang === 'en');
      if (local) out[form.local] = local.value;
      if (english) out[form.english] = english.value;
    } else {
      const one = (v: unknown) => (member.child ? argsOf(member.child, v as Record<string, unknown>, style) : v);
      const converted = member.list ? (item as unknown[]).map(one) : one(item);
      out[member.xml] = member.wrapper ? { [member.wrapper]: converted } : converted;
    }
  }
  return Object.keys(attributes).length > 0 ? { [style.attributes]: attributes, ...out } : out;
}

/** InfoText lists ordered by language: 2.x writes the local-language name before the English one, whatever the 2.3 list's order. */
export function byLanguage(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(byLanguage);
    return items.every((item) => typeof (item as { lang?: unknown } | null)?.lang === 'string') ? [...items].sort((a, b) => ((a as { lang: string }).lang < (b as { lang: string }).lang ? -1 : 1)) : items;
  }
  return value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, byLanguage(v)])) : value;
}

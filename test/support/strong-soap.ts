import { ATTRIBUTES, TEXT, WRAPPED_LISTS } from '../../src/oicp/soap/codec';

/**
 * A canonical value in strong-soap's JSON form: attributes under `$attributes`, an element's text
 * beside attributes as `$value`, wrapped lists inside their wrapper element.
 */
export function strongSoapArgs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strongSoapArgs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (ATTRIBUTES.has(key)) attributes[key] = member;
    else if (key === TEXT) out.$value = member;
    else out[key] = WRAPPED_LISTS[key] === undefined ? strongSoapArgs(member) : { [WRAPPED_LISTS[key]]: strongSoapArgs(member) };
  }
  return Object.keys(attributes).length > 0 ? { $attributes: attributes, ...out } : out;
}

/**
 * Helpers for the wire schemas written in TypeBox: one definition gives the TypeScript type and the ajv
 * validator, and validation problems come back as findings with the field path, in the source
 * protocol's own names.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';
import { childPath, type Finding } from './findings';

/** A string enumeration as a plain JSON Schema `enum`, so a wrong value gives one clear error, not an anyOf cascade. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
/**
 * Whether data conforms, answered by a validator that stops at the first problem: most data does, and
 * collecting every problem (allErrors) made checking a valid location 1.6x slower (measured). Only
 * data that does not conform is validated again, for all its problems.
 */
const firstProblemOnly = new Ajv({ allErrors: false, strict: false });
addFormats(firstProblemOnly);
const compiled = new WeakMap<TSchema, { conforms: ValidateFunction; validate: ValidateFunction }>();

/** `/evses/0/connectors/1` -> `evses[0].connectors[1]`, under `base`. */
function pointerToPath(pointer: string, base = ''): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((path, part) => childPath(path, /^\d+$/.test(part) ? Number(part) : part), base);
}

function describe(error: ErrorObject, base: string): Finding {
  const at = pointerToPath(error.instancePath, base);
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { kind: 'invalid', path: childPath(at, missing), message: 'is required' };
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
    return { kind: 'invalid', path: at, message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { kind: 'invalid', path: at || '(document)', message: error.message ?? error.keyword };
}

/**
 * JSON from a peer, with `null` members removed: several OCPI implementations send `null` for an
 * absent optional field, which both specifications treat as "not given". A value without a null
 * anywhere is returned as it is: the common case copies nothing (a deep copy of every location was a
 * tenth of the location mapper's time).
 */
export function withoutNulls(value: unknown): unknown {
  return holdsNull(value) ? copiedWithoutNulls(value) : value;
}

/** Whether a null is anywhere in `value`: a scan that allocates nothing. */
function holdsNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsNull(item)) return true;
    return false;
  }
  // for-in also sees inherited members; one holding a null only costs a copy, which reads own members alone.
  for (const key in value) if (holdsNull((value as Record<string, unknown>)[key])) return true;
  return false;
}

function copiedWithoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copiedWithoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, copiedWithoutNulls(v)]));
  }
  return value;
}

interface Checked<T> {
  /** The input (nulls removed), typed; the parts named in `refused` do not conform and must be skipped. */
  value: T;
  findings: Finding[];
  /** Paths of the elements that broke the schema. */
  refused: string[];
}

/** Validates `data` against `schema`; every problem is an `invalid` finding with its path under `base`. */
export function check<S extends TSchema>(schema: S, data: unknown, base = ''): Checked<Static<S>> {
  let validators = compiled.get(schema);
  if (!validators) {
    validators = { conforms: firstProblemOnly.compile(schema), validate: ajv.compile(schema) };
    compiled.set(schema, validators);
  }
  const { conforms, validate } = validators;
  const value = withoutNulls(data);
  if (conforms(value) || validate(value)) return { value, findings: [], refused: [] };
  const findings = (validate.errors ?? []).map((e) => describe(e, base));
  return { value, findings, refused: findings.map((f) => f.path) };
}

function inside(bad: string, path: string): boolean {
  return path === '' || bad === path || bad.startsWith(`${path}.`) || bad.startsWith(`${path}[`);
}

/**
 * Whether the element at `path` broke its schema itself. Problems inside its nested lists (`nested`,
 * e.g. an EVSE's `connectors`) belong to those elements, so one bad connector is dropped and its EVSE
 * kept; a problem with the list itself (missing, empty) is the element's own.
 */
export function brokenAt(refused: readonly string[], path: string, nested: readonly string[] = []): boolean {
  return refused.some((bad) => inside(bad, path) && !nested.some((list) => bad !== childPath(path, list) && inside(bad, childPath(path, list))));
}

/**
 * The sound elements of a checked list, with their paths under `base` (`[0]` at the root): broken
 * elements are skipped, and a value that is not a list at all (already refused) has none.
 */
export function soundItems<T>(refused: readonly string[], list: readonly T[] | undefined, base: string, nested: readonly string[] = []): { item: T; path: string }[] {
  // A loop, not flatMap (a list per element): this runs for every location's EVSEs and every EVSE's connectors.
  const sound: { item: T; path: string }[] = [];
  if (!Array.isArray(list)) return sound;
  list.forEach((item: T, index) => {
    const path = childPath(base, index);
    if (!brokenAt(refused, path, nested)) sound.push({ item, path });
  });
  return sound;
}

/**
 * Validates `data` into a finding log: the typed value, or undefined when the object itself is broken.
 * Problems inside the `nested` lists are logged and left to the caller (see brokenAt).
 */
export function checkInto<S extends TSchema>(schema: S, data: unknown, log: { findings: Finding[] }, nested: readonly string[] = []): Static<S> | undefined {
  const checked = check(schema, data);
  log.findings.push(...checked.findings);
  return brokenAt(checked.refused, '', nested) ? undefined : checked.value;
}

/**
 * The hazard scan of src/http/json-body.ts against a reference: for any JSON text (any values,
 * strings full of brackets, quotes, escapes and NULs, any Unicode), `jsonHazard` says what the
 * parsed value says: too deep when its depth passes the limit, NUL when a member name or string
 * holds U+0000 (either when both); and on text that is not JSON it answers without throwing.
 */
import fc from 'fast-check';
import { jsonHazard } from '../../src/http/json-body';
import { FUZZ_SEED } from './hostile';

/** Depth as the parsed value has it: a scalar 0, an array or object one more than its deepest member. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const members = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...members.map(depthOf));
}

/** Whether a member name or string anywhere in the value holds U+0000. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, member]) => (!Array.isArray(value) && key.includes('\u0000')) || holdsNul(member));
}

/** Strings that look like structure: brackets, quotes and backslashes (escaped as JSON escapes them), and now and then a NUL or text that reads like its escape. */
const tricky = fc.string({ unit: fc.oneof({ weight: 20, arbitrary: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', 'a', 'u', '0', '\u225b', '\ud83d\ude97') }, { weight: 1, arbitrary: fc.constant('\u0000') }) });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), tricky, fc.string({ unit: 'binary' }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
})).value;

describe('the hazard scan', () => {
  it('agrees with the parsed value at every limit', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 12 }), fc.boolean(), (value, limit, pretty) => {
        const text = Buffer.from(JSON.stringify(value, null, pretty ? 2 : undefined), 'utf8');
        const deep = depthOf(value) > limit;
        const nul = holdsNul(value);
        const expected = deep && nul ? ['too-deep', 'nul'] : [deep ? 'too-deep' : nul ? 'nul' : undefined];
        expect(expected).toContain(jsonHazard(text, limit));
      }),
      { seed: FUZZ_SEED, numRuns: 2_000 },
    );
  });

  it('agrees on nestings far deeper than any limit, built as text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 100 }), (depth, limit) => {
        const text = Buffer.from(`${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`);
        expect(jsonHazard(text, limit)).toBe(2 * depth > limit ? 'too-deep' : undefined);
      }),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });

  it('answers on any bytes without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 0, max: 64 }), (bytes, limit) => {
        expect([undefined, 'too-deep', 'nul']).toContain(jsonHazard(bytes, limit));
      }),
      { seed: FUZZ_SEED, numRuns: 1_000 },
    );
  });
});

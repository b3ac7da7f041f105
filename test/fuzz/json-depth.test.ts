/**
 * The nesting scan of src/http/json-body.ts against a reference: for any JSON text (any values,
 * strings full of brackets, quotes and escapes, any Unicode), `nestsDeeperThan` says what the depth
 * of the parsed value says; and on text that is not JSON it answers without throwing.
 */
import fc from 'fast-check';
import { nestsDeeperThan } from '../../src/http/json-body';
import { FUZZ_SEED } from './hostile';

/** Depth as the parsed value has it: a scalar 0, an array or object one more than its deepest member. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const members = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...members.map(depthOf));
}

/** Strings that look like structure: brackets, quotes and backslashes, escaped as JSON escapes them. */
const tricky = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', 'a', '\u225b', '\ud83d\ude97') });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), tricky, fc.string({ unit: 'binary' }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
})).value;

describe('the nesting scan', () => {
  it('agrees with the parsed depth at every limit', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 12 }), fc.boolean(), (value, limit, pretty) => {
        const text = Buffer.from(JSON.stringify(value, null, pretty ? 2 : undefined), 'utf8');
        expect(nestsDeeperThan(text, limit)).toBe(depthOf(value) > limit);
      }),
      { seed: FUZZ_SEED, numRuns: 2_000 },
    );
  });

  it('agrees on nestings far deeper than any limit, built as text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 100 }), (depth, limit) => {
        const text = Buffer.from(`${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`);
        expect(nestsDeeperThan(text, limit)).toBe(2 * depth > limit);
      }),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });

  it('answers on any bytes without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 0, max: 64 }), (bytes, limit) => {
        expect(typeof nestsDeeperThan(bytes, limit)).toBe('boolean');
      }),
      { seed: FUZZ_SEED, numRuns: 1_000 },
    );
  });
});

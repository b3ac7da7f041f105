/** The writer's sink gives back exactly the text written, whatever its characters and however it falls into pieces. */
import fc from 'fast-check';
import { TextSink } from '../../src/oicp/soap/text-sink';

/** ASCII, Latin-1, characters of several UTF-8 bytes, a surrogate pair, and unpaired surrogates (which UTF-8 cannot carry). */
const unit = fc.constantFrom('a', '<', '\n', 'é', 'ÿ', '≤', '€', '😀', '\uD800', '\uDC00');
const pieces = fc.array(fc.string({ unit, maxLength: 40 }), { maxLength: 60 });

describe('TextSink', () => {
  it('gives back the concatenation of what was written, in pieces of any size', () => {
    fc.assert(
      fc.property(pieces, fc.integer({ min: 1, max: 200 }), (texts, chunk) => {
        const sink = new TextSink(chunk);
        for (const text of texts) sink.write(text);
        expect(sink.text()).toBe(texts.join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('gives back ASCII and other text of a piece as written', () => {
    const sink = new TextSink(64);
    const texts = ['<a>plain</a>', '<b>≤32A</b>', 'x'.repeat(30), '<c>ÿé</c>'];
    for (const text of texts) sink.write(text);
    expect(sink.text()).toBe(texts.join(''));
  });
});

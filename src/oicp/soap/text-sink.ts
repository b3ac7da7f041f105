/**
 * Text moved off the JavaScript heap as it is written: the writer's sink for long documents (a push
 * of thousands of records). Kept as strings until the document was done, every record survived the
 * young generation's collections (copied, then promoted) and the document ended as one more flat
 * copy in the heap's large-object space, all of it fresh memory, a page fault per page; the CPU
 * profile of a 5,000-record push had those at 60% of its time. Here a record's text dies young: it
 * is written as UTF-8 into a buffer, and each full buffer becomes one string, which Node makes an
 * external string (held outside the heap, never copied by the collector) when its text is ASCII.
 * The document is those strings concatenated, a rope of a few pieces, as `JSON.stringify` returns
 * its text (V8 11, Node 20).
 */
import { keepClassOf } from './kept-classes';

/**
 * Bytes per piece: above the size from which Node makes a Latin-1 string external (about 1 MB), and
 * below glibc's largest adaptive mmap threshold (32 MB), so malloc can hand the memory of freed
 * pieces to the next document. Measured on a 5,000-record push (bench/soap-bulk.ts, CPU time): 2 MB
 * and 4 MB pieces took half again as long as 16 MB ones.
 */
const CHUNK = 16 << 20;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The buffer of the last finished sink, for the next: writing into fresh memory costs a page fault
 * per page, which on the shared machine measured took a third of the encoding's CPU time. It holds
 * one piece (16 MB) for the life of the process once a long document was written.
 */
let spare: Buffer | undefined;

export class TextSink {
  private readonly bytes: Buffer;
  private used = 0;
  /** Whether every character in `bytes` is ASCII (one byte each). */
  private ascii = true;
  /** The text of the pieces finished so far. */
  private done = '';

  /** `chunk`: bytes per piece (smaller in tests, to see many pieces). */
  constructor(private readonly chunk = CHUNK) {
    this.bytes = spare?.length === chunk ? spare : Buffer.allocUnsafeSlow(chunk);
    spare = undefined;
  }

  write(text: string): void {
    // At most three bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.chunk) {
      this.seal();
      if (text.length * 3 > this.chunk) {
        this.done += text;
        return;
      }
    }
    const written = this.bytes.write(text, this.used, 'utf8');
    if (written !== text.length) {
      // Outside ASCII (a character takes more than one byte): only then is the text looked at.
      if (UNPAIRED_SURROGATE.test(text)) {
        // UTF-8 cannot carry it: the bytes just written are dropped and the text kept as it is.
        this.seal();
        this.done += text;
        return;
      }
      this.ascii = false;
    }
    this.used += written;
  }

  /** Everything written; the sink is done. */
  text(): string {
    this.seal();
    spare = this.bytes;
    return this.done;
  }

  private seal(): void {
    if (this.used === 0) return;
    this.done += this.bytes.toString(this.ascii ? 'latin1' : 'utf8', 0, this.used);
    this.used = 0;
    this.ascii = true;
  }
}

// Its class outlives every document (kept-classes.ts).
keepClassOf(new TextSink(0));

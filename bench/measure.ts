/**
 * Timing for `npm run bench`: each case runs a baseline and our code alternately in the same
 * process, so the ratio holds on any machine; absolute times are printed for context only.
 */
export interface Comparison {
  name: string;
  baselineMs: number;
  oursMs: number;
  /** ours / baseline: below 1 is faster than the baseline. */
  ratio: number;
}

const WARMUP = 5;
const ROUNDS = 5;
const MIN_ROUND_MS = 200;

/** Mean time per call over a round of at least MIN_ROUND_MS. */
async function round(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < MIN_ROUND_MS) {
    await run();
    calls++;
  }
  return (performance.now() - started) / calls;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measure(name: string, cases: { baseline: () => Promise<unknown>; ours: () => Promise<unknown> }): Promise<Comparison> {
  for (let i = 0; i < WARMUP; i++) {
    await cases.baseline();
    await cases.ours();
  }
  const baseline: number[] = [];
  const ours: number[] = [];
  // Alternating rounds: a machine that slows down mid-run slows both sides.
  for (let i = 0; i < ROUNDS; i++) {
    baseline.push(await round(cases.baseline));
    ours.push(await round(cases.ours));
  }
  const baselineMs = median(baseline);
  const oursMs = median(ours);
  return { name, baselineMs, oursMs, ratio: oursMs / baselineMs };
}

export function report(title: string, comparisons: Comparison[]): string {
  const lines = [title, `${'case'.padEnd(76)} ${'baseline ms'.padStart(12)} ${'ours ms'.padStart(10)} ${'ratio'.padStart(7)}`];
  for (const c of comparisons) lines.push(`${c.name.padEnd(76)} ${c.baselineMs.toFixed(2).padStart(12)} ${c.oursMs.toFixed(2).padStart(10)} ${c.ratio.toFixed(2).padStart(7)}`);
  return lines.join('\n');
}

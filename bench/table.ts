/**
 * The rows `npm run bench` prints for the performance targets: each figure beside the floor it was
 * measured against in the same run, their ratio and the target the ratio should meet.
 */
export interface BenchRow {
  /** What was measured, e.g. "OCPI Location -> EvseDataRecords, 20,000 x 4". */
  path: string;
  /** Our figure with its unit, e.g. "812 ms" or "2,140 PATCH/s". */
  figure: string;
  /** The floor measured in the same run, with its unit and what it is. */
  floor: string;
  /** Figure over floor, in the direction the target is stated (lower is better unless the target says otherwise). */
  ratio: number;
  /** The target from issue 21, e.g. "<= 3x". */
  target: string;
  /** Whether the ratio meets the target. */
  met: boolean;
}

/** Options every benchmark takes: `--quick` for a smoke run (CI), `--records N` to size the data. */
export interface BenchOptions {
  quick: boolean;
  records?: number;
}

export function table(title: string, rows: BenchRow[]): string {
  const head = ['path', 'figure', 'floor', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [r.path, r.figure, r.floor, `${r.ratio.toFixed(2)}x`, r.target, r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [title, line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

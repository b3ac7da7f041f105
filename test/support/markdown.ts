/**
 * Just enough Markdown reading for the doc tests: the links a page makes, the anchors its headings
 * get (as GitHub renders them), its tables and its fenced code blocks. Fenced code is not prose: links
 * and headings inside it do not count.
 */

/** The page without its fenced code blocks (each replaced by an empty line, so line numbers hold). */
function prose(markdown: string): string {
  return markdown.replace(/^ *```[^\n]*\n[\s\S]*?^ *```[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ''));
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors of every heading, numbered like GitHub's when a heading text repeats (`x`, `x-1`, ...). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, text] of prose(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const base = slug(text!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

export interface Link {
  target: string;
  line: number;
}

/** Every inline link `[text](target)` of the prose, with its line; inline code is not a link. */
export function links(markdown: string): Link[] {
  const lines = prose(markdown).split('\n');
  return lines.flatMap((text, index) =>
    [...text.replace(/`[^`]*`/g, 'code').matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map(([, target]) => ({ target: target!, line: index + 1 })),
  );
}

/** The cells of each row of the table whose header row starts with `firstHeader`, header and rule left out. */
export function table(markdown: string, firstHeader: string): string[][] {
  const lines = prose(markdown).split('\n');
  const start = lines.findIndex((line) => cells(line)[0] === firstHeader);
  if (start < 0) throw new Error(`no table starting with the column "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}

function cells(line: string): string[] {
  if (!line.startsWith('|')) return [];
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** The contents of the fenced code blocks of one language (`yaml`, `sh`, ...), indentation removed. */
export function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^ *```$/gm)]
    .filter(([, , lang]) => lang === language)
    .map(([, indent, , body]) => body!.split('\n').map((line) => line.slice(Math.min(indent!.length, line.length - line.trimStart().length))).join('\n'));
}

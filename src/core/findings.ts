/**
 * What every mapper returns besides its value: the list of what it could not carry. Nothing is
 * invented or dropped silently; each decision that changes meaning is a finding with the path of the
 * source field it concerns.
 */
export type FindingKind =
  /** The target cannot carry this information; it is not in the output. */
  | 'loss'
  /** The target needs a value the source lacks; it was taken from the mapping rules or a documented default. */
  | 'default'
  /** The input breaks its own specification; the mapper refused that element. */
  | 'invalid';

export interface Finding {
  kind: FindingKind;
  /** Path of the source field, dotted with indexes: `evses[1].connectors[0].standard`. */
  path: string;
  message: string;
  /** What the finding is about beyond the document, where a mapper knows it: the operator and EVSE (OICP EvseID). */
  subject?: { operatorId: string; evseId?: string };
}

export interface Mapped<T> {
  value: T;
  findings: Finding[];
}

/** Joins a parent path and a child key or index into a finding path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** A path relative to an element, placed under the element's own path: `[2]` + `evses[0]` -> `[2].evses[0]`. */
function underPath(parent: string, path: string): string {
  if (path === '') return parent;
  if (parent === '' || path.startsWith('[')) return `${parent}${path}`;
  return `${parent}.${path}`;
}

/**
 * Paths and messages recur from one element to the next (`evses[0].status`, the same loss for every
 * EVSE of a network), but each is built anew as a string of its own: a page's findings held several
 * times the heap of its records. One copy of each is kept while it recurs, so findings share it.
 * Bounded: the table starts afresh when full (a string then costs what it did before). A page of
 * 2,000 pulled records brings about 13,000 distinct paths and messages; a table smaller than a page's
 * would start afresh on every page and only cost (full, it holds about 4.5 MB: measured).
 */
const REMEMBERED = 50_000;
const remembered = new Map<string, string>();

function shared(text: string): string {
  const known = remembered.get(text);
  if (known !== undefined) return known;
  if (remembered.size >= REMEMBERED) remembered.clear();
  remembered.set(text, text);
  return text;
}

/** A path as it is given: see `FindingLog`'s `paths`. */
const own = (path: string) => path;

/** Collects findings while a mapper works, so the mapper code reads as the mapping. */
export class FindingLog {
  readonly findings: Finding[] = [];
  private readonly path: (path: string) => string;

  /**
   * `paths: 'own'` for a log whose paths never recur: a reader numbering a document's elements from
   * its start (`EvseDataRecord[41237]`) makes a new path for every record, and the shared table kept
   * each of them alive after the document was gone (11 MB in a streamed push of 50,000 records,
   * bench/soap-bulk.ts). Messages are shared either way.
   */
  constructor(paths: 'shared' | 'own' = 'shared') {
    this.path = paths === 'own' ? own : shared;
  }

  loss(path: string, message: string): void {
    this.findings.push({ kind: 'loss', path: this.path(path), message: shared(message) });
  }

  defaulted(path: string, message: string): void {
    this.findings.push({ kind: 'default', path: this.path(path), message: shared(message) });
  }

  invalid(path: string, message: string): void {
    this.findings.push({ kind: 'invalid', path: this.path(path), message: shared(message) });
  }

  /** Adopts a sub-mapper's findings and hands back its value. */
  take<T>(mapped: Mapped<T>): T {
    this.findings.push(...mapped.findings);
    return mapped.value;
  }

  /** Adopts the findings of a sub-mapper that worked on the element at `parent`, with their paths placed under it. */
  takeAt<T>(parent: string, mapped: Mapped<T>): T {
    this.findings.push(...mapped.findings.map((f) => ({ ...f, path: shared(underPath(parent, f.path)) })));
    return mapped.value;
  }

  result<T>(value: T): Mapped<T> {
    return { value, findings: this.findings };
  }
}

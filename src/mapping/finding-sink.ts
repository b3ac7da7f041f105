/**
 * Where a mapper that works on many elements reports its findings: listed (the `Mapped` result every
 * caller reads) or only counted by kind. The EMP network pull maps Hubject's network page by page and
 * only counts the findings (some 16 per record, for a debug line): listing them (one object per
 * finding, its strings looked up in the shared table, copied to the page's list) was a seventh of the
 * way back's time on a pulled page (210 -> 181 ms per 2,000 records, JSON.parse included) and
 * garbage the pull left to collect.
 */
import { FindingLog, type Finding, type FindingKind, type Mapped } from '../core/findings';

type Subject = NonNullable<Finding['subject']>;

export interface FindingSink {
  loss(path: string, message: string): void;
  defaulted(path: string, message: string): void;
  invalid(path: string, message: string): void;
  /** Adopts a sub-mapper's findings and hands back its value. */
  take<T>(mapped: Mapped<T>): T;
  /** Runs `work` with findings about `subject` (an EVSE); `refused`: one of them was invalid. */
  about<T>(subject: Subject, work: (sink: FindingSink) => T): { value: T; refused: boolean };
}

/** Findings listed, as `Mapped` results carry them. */
export class ListedFindings extends FindingLog implements FindingSink {
  about<T>(subject: Subject, work: (sink: FindingSink) => T): { value: T; refused: boolean } {
    const log = new ListedFindings();
    const value = work(log);
    for (const finding of log.findings) finding.subject = subject;
    this.findings.push(...log.findings);
    return { value, refused: log.findings.some((f) => f.kind === 'invalid') };
  }
}

/** Findings counted by kind, nothing else kept. */
export class CountedFindings implements FindingSink {
  readonly counts: Record<FindingKind, number> = { loss: 0, default: 0, invalid: 0 };

  loss(): void {
    this.counts.loss++;
  }

  defaulted(): void {
    this.counts.default++;
  }

  invalid(): void {
    this.counts.invalid++;
  }

  take<T>(mapped: Mapped<T>): T {
    for (const finding of mapped.findings) this.counts[finding.kind]++;
    return mapped.value;
  }

  about<T>(_subject: Subject, work: (sink: FindingSink) => T): { value: T; refused: boolean } {
    const invalid = this.counts.invalid;
    const value = work(this);
    return { value, refused: this.counts.invalid > invalid };
  }
}

/**
 * Runs the flows' scheduled jobs (the CPO full sync, the EMP pulls): once at start, then every `everyMs` after the
 * previous run ended, never two runs of one job at once (asking while it runs joins that run).
 * Stopping waits for the runs in progress, so the store closes after them.
 */
import type { Logger } from '../observability/logger';
import { inTraceScope, skippedInScope, traceEvent, type TraceSink } from '../core/trace-context';
import type { Job } from './ports';

/** A job's last run, for operators. */
interface JobRun {
  startedAt: number;
  endedAt?: number;
  outcome: 'running' | 'ok' | 'failed';
  error?: string;
}

export interface JobStatus {
  name: string;
  everyMs: number;
  last?: JobRun;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly lastRuns = new Map<string, JobRun>();
  private stopped = false;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly logger: Logger,
    /** Where each run is reported; what a run calls belongs to its exchange (`job:<name>:<start>`). */
    private readonly trace?: TraceSink,
  ) {}

  /** Each job with its schedule and how its last run went. */
  status(): JobStatus[] {
    return this.jobs.map((job) => ({ name: job.name, everyMs: job.everyMs, last: this.lastRuns.get(job.name) }));
  }

  /** The first runs go one after the other, in the order given (the EMP side pulls the network before its statuses); then each job keeps its own time. */
  start(): void {
    void this.jobs
      .filter((job) => job.everyMs > 0)
      .reduce(
        (previous, job) =>
          previous.then(async () => {
            if (this.stopped) return;
            await this.once(job);
            if (!this.stopped) this.after(job, job.everyMs);
          }),
        Promise.resolve(),
      );
  }

  /** Runs a job now; its schedule is unchanged. */
  run(name: string): Promise<unknown> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new Error(`no job "${name}" (jobs: ${this.jobs.map((j) => j.name).join(', ') || 'none'})`));
    return this.once(job);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.running.values());
  }

  private once(job: Job): Promise<unknown> {
    const current = this.running.get(job.name);
    if (current) return current;
    const last: JobRun = { startedAt: Date.now(), outcome: 'running' };
    this.lastRuns.set(job.name, last);
    const scope = { correlationId: `job:${job.name}:${new Date(last.startedAt).toISOString()}` };
    // Reported from inside the run's scope, after its work: it knows how many events the run could not record.
    const ended = (outcome: 'ok' | 'failed', error?: string) => {
      Object.assign(last, { endedAt: Date.now(), outcome, error });
      const skipped = skippedInScope();
      const note = [error, skipped > 0 ? `${skipped} more events of this run were not recorded` : undefined].filter(Boolean).join('; ');
      traceEvent(this.trace, { protocol: 'bridge', direction: 'internal', kind: 'job', name: job.name, status: outcome, note: note || undefined, durationMs: last.endedAt! - last.startedAt });
    };
    const run = inTraceScope(scope, () =>
      job.run().then(
        (result) => {
          ended('ok');
          return result;
        },
        (err: unknown) => {
          ended('failed', (err as Error).message);
          this.logger.error('scheduled job failed', { job: job.name, error: err });
        },
      ),
    ).finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    return run;
  }

  private after(job: Job, delayMs: number): void {
    const timer = setTimeout(() => {
      void this.once(job).then(() => {
        if (!this.stopped) this.after(job, job.everyMs);
      });
    }, delayMs);
    timer.unref();
    this.timers.set(job.name, timer);
  }
}

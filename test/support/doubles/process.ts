import { runTs, type Child } from '../child';

/**
 * Running a double as its own process: the entry script (`*-main.ts`, started with tsx) reads its
 * options as JSON from the DOUBLE_OPTIONS environment variable (or its first argument), starts the
 * double and prints one line `DOUBLE_READY {"url":...,"controlUrl":...,"pid":...}` once it listens.
 * A test in another process then reads and steers it through the control API (`/_double/...`).
 */

export const READY = 'DOUBLE_READY';

interface Started {
  url: string;
  controlUrl: string;
  close(): Promise<void>;
}

/** The body of an entry script: start with the given options, announce, stop cleanly on SIGTERM/SIGINT. */
export function runDoubleMain<O>(start: (options: O) => Promise<Started>): void {
  const raw = process.env.DOUBLE_OPTIONS ?? process.argv[2] ?? '{}';
  start(JSON.parse(raw) as O).then(
    (double) => {
      console.log(`${READY} ${JSON.stringify({ url: double.url, controlUrl: double.controlUrl, pid: process.pid })}`);
      const stop = () => void double.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: Error) => {
      console.error(`double failed to start: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}

export interface SpawnedDouble {
  url: string;
  controlUrl: string;
  child: Child;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

export async function spawnDouble(entry: string, options: object, startupMs = 20_000): Promise<SpawnedDouble> {
  const child = runTs(entry, [], { env: { DOUBLE_OPTIONS: JSON.stringify(options) } });
  const match = await child.waitFor(new RegExp(`${READY} (\\{.*\\})`), startupMs);
  const { url, controlUrl } = JSON.parse(match[1]!) as { url: string; controlUrl: string };
  return {
    url,
    controlUrl,
    child,
    stop: async () => {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
      await child.exited;
    },
  };
}

/** A JSON call to a double's control API; a non-2xx answer throws with the double's message. */
export function controlClient(controlUrl: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${controlUrl}/_double${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const payload: unknown = await res.json();
    if (!res.ok) throw new Error(`control ${method} ${path}: ${(payload as { error?: string }).error ?? res.status}`);
    return payload as T;
  };
}

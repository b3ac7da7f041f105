import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPO = join(__dirname, '..', '..');
/** tsx's loader by absolute URL, so children run TypeScript from any working directory. */
const TSX = pathToFileURL(require.resolve('tsx', { paths: [REPO] })).href;

export const CLI = join(REPO, 'src', 'cli', 'main.ts');

export interface Child {
  process: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr; rejects on exit or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript entry point in a real Node process (for kill, signal and exit-code tests). */
export function runTs(script: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const child = spawn(process.execPath, ['--import', TSX, script, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    listeners.forEach((listener) => listener());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      listeners.forEach((listener) => listener());
    }),
  );
  return {
    process: child,
    output: () => output,
    exited,
    waitFor(pattern, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${String(pattern)}; output:\n${output}`)), ms);
        const check = () => {
          const match = output.match(pattern);
          if (match) done(undefined, match);
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`exited before ${String(pattern)}; output:\n${output}`));
        };
        const done = (err?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(match!);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/**
 * Bridges run as their own processes (`serve --config`) on one configuration file, for crash tests: each start
 * resolves once the bridge listens and has registered with the backend; `stopAll` SIGTERMs those still running.
 */
export function bridgeProcesses(configFile: string, registered: () => Promise<boolean>, onListening?: (url: string) => void) {
  const children: Child[] = [];
  return {
    start: async (): Promise<Child> => {
      const child = runTs(CLI, ['serve', '--config', configFile]);
      children.push(child);
      onListening?.((await child.waitFor(/"message":"listening".*?"url":"([^"]+)"/, 30_000))[1]!);
      // A loaded machine (CI with two workers) may take seconds to register; say so instead of going on half-started.
      for (let i = 0; i < 1_500 && !(await registered()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      if (!(await registered())) throw new Error(`the bridge did not register with the backend within 30 s; output:\n${child.output()}`);
      return child;
    },
    stopAll: async (): Promise<void> => {
      for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
      await Promise.all(children.map((c) => c.exited));
    },
  };
}

/** A TCP port free at the moment of asking, for a process that must listen on a known port. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Servers under load run in processes of their own, so the load generator's CPU is not theirs. Their
 * output is read until they say where they listen, then drained unread: a bridge logging each request
 * must not grow a buffer in the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPO = join(__dirname, '..');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [REPO] })).href;
export const CLI = join(REPO, 'src', 'cli', 'main.ts');

export interface ServerProcess {
  url: string;
  pid: number;
  /** CPU time (user + system) the process used so far, in ms (Linux; 0 elsewhere). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point; resolves once its output matches `listening` (whose first group is the URL). */
export async function serverProcess(script: string, args: string[], listening: RegExp, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', TSX, script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A benchmark that fails midway must not leave its servers running (they would hold CI's output open).
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  void exited.then(() => process.off('exit', orphaned));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = output.match(listening);
      if (!match) return;
      clearTimeout(timer);
      output = '';
      child.stdout!.off('data', read).resume();
      child.stderr!.off('data', read).resume();
      resolve(match[1]!);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', () => reject(new Error(`${script} exited before listening:\n${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    cpuMs: () => cpuMsOf(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** utime + stime of a process from /proc, in ms (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

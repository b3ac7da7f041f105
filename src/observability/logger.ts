import { Writable } from 'node:stream';
import winston from 'winston';
import { redactEntry } from '../core/redact';

export type Logger = winston.Logger;

/** Masks secrets in the message and in every metadata key; winston's own Symbol keys are left alone. */
const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key !== 'level') info[key] = redactEntry(key, info[key]);
  }
  return info;
});

const text = winston.format.printf(({ timestamp, level, message, ...meta }) => {
  const details = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${details}`;
});

/** How the log is written (the configuration's `log` section). */
interface LogSettings {
  level: 'error' | 'warn' | 'info' | 'debug';
  format: 'json' | 'text';
}

/**
 * Standard output, written once per turn of the event loop with every line of that turn. Writes to a
 * pipe or a file are synchronous in Node: a system call per line was half of what logging cost the
 * bridge under load (an access line per request, a findings line per lossy status; 4-5% of its CPU
 * per PATCH). Lines keep their order (a direct write to standard output in the same turn goes before
 * them) and are written before the process exits; a process killed outright (SIGKILL) loses at most
 * the lines of its last turn.
 */
function batchedStdout(): NodeJS.WritableStream {
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join('');
    lines = [];
    if (text !== '') process.stdout.write(text);
  };
  process.on('exit', flush);
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (lines.push(String(chunk)) === 1) setImmediate(flush);
      done();
    },
  });
}

let stdout: NodeJS.WritableStream | undefined;

export function createLogger(config: LogSettings, stream: NodeJS.WritableStream = (stdout ??= batchedStdout())): Logger {
  return winston.createLogger({
    level: config.level,
    format: winston.format.combine(
      redactSecrets(),
      winston.format.timestamp(),
      config.format === 'json' ? winston.format.json() : text,
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
}

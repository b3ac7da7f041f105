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

export function createLogger(config: LogSettings, stream: NodeJS.WritableStream = process.stdout): Logger {
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

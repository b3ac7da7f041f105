import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The official OCPI example payloads, beside the repository. */
export const OCPI_CORPUS = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'ocpi');

export function corpusFiles(version: '2.1.1' | '2.2.1', prefix: string): string[] {
  return readdirSync(join(OCPI_CORPUS, version))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort();
}

/** [version, file] for every example of both versions whose name starts with `prefix`, for it.each. */
export function corpusCases(prefix: string): (readonly ['2.1.1' | '2.2.1', string])[] {
  return (['2.2.1', '2.1.1'] as const).flatMap((version) => corpusFiles(version, prefix).map((file) => [version, file] as const));
}

export function corpusJson(version: '2.1.1' | '2.2.1', file: string): unknown {
  return JSON.parse(readFileSync(join(OCPI_CORPUS, version, file), 'utf8')) as unknown;
}

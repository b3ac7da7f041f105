import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from '../../src/config/load';

/** The problems a configuration refusal lists; fails the test when `fn` does not refuse. */
export function problemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** `text` written as a bridge.yaml in a folder of its own. */
export function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bridge-config-')), 'bridge.yaml');
  writeFileSync(file, text);
  return file;
}

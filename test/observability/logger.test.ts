/**
 * The default logger writes standard output once per turn of the event loop (src/observability/logger.ts):
 * every line arrives, in order, also when the process exits in the turn that logged it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const TSX = require.resolve('tsx', { paths: [join(__dirname, '..', '..')] });
const LOGGER = join(__dirname, '..', '..', 'src', 'observability', 'logger.ts');

function run(script: string): string[] {
  const child = spawnSync(process.execPath, ['--import', TSX, '-e', script], { encoding: 'utf8' });
  expect(child.status).toBe(0);
  return child.stdout.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { message: string }).message);
}

describe('logger: standard output', () => {
  it('writes the lines of one turn together, in order, and those of later turns after them', () => {
    const lines = run(`
      const { createLogger } = require(${JSON.stringify(LOGGER)});
      const log = createLogger({ level: 'info', format: 'json' });
      log.info('one'); log.info('two'); log.debug('not at info');
      process.stdout.write(JSON.stringify({ message: 'direct' }) + '\\n');
      setImmediate(() => setImmediate(() => log.info('three')));
    `);
    expect(lines).toEqual(['direct', 'one', 'two', 'three']);
  });

  it('writes the lines of the last turn when the process exits in it', () => {
    const lines = run(`
      const { createLogger } = require(${JSON.stringify(LOGGER)});
      const log = createLogger({ level: 'info', format: 'json' });
      log.info('before exit');
      process.exit(0);
    `);
    expect(lines).toEqual(['before exit']);
  });
});

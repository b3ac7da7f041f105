import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/observability/logger';

/** Every line the logger wrote so far (winston writes through its streams: read after a turn). */
function captured(level: 'error' | 'warn' | 'info' | 'debug', format: 'json' | 'text' = 'json') {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { logger: createLogger({ level, format }, stream), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('the logger', () => {
  it('writes what its level admits, and nothing below it', async () => {
    const { logger, lines } = captured('info');
    logger.debug('not written');
    logger.info('written', { n: 1 });
    logger.error('written too');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines().map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['written', 'written too']);
  });

  it('follows a change of the level at run time', async () => {
    const { logger, lines } = captured('warn');
    logger.info('dropped');
    logger.level = 'debug';
    logger.debug('kept');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines().map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['kept']);
  });

  it("writes a child's metadata with each line, secrets masked", async () => {
    const { logger, lines } = captured('info');
    logger.child({ requestId: 'r-1' }).log('info', 'request', { method: 'PATCH', status: 200, authorization: 'Token abc' });
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = lines();
    expect(JSON.parse(line!)).toEqual({ requestId: 'r-1', level: 'info', message: 'request', method: 'PATCH', status: 200, authorization: '[REDACTED]', timestamp: expect.any(String) });
    expect(line).not.toContain('abc');
  });

  it('writes text lines in the text format', async () => {
    const { logger, lines } = captured('info', 'text');
    logger.warn('careful', { why: 'x' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z warn {2}careful \{"why":"x"\}$/)]);
  });
});

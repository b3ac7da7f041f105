/**
 * Recorded exchanges (fixtures/recorded/, written by `trace export` from a real run) replayed through
 * today's mappers: what the bridge would send now is what it sent then, with the same findings.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NO_RULES } from '../../src/mapping/rules';
import { RULES } from '../support/cpo-scene';
import { RECORDED, replayExchange } from '../support/replay';

const exchanges = readdirSync(RECORDED);

describe('recorded exchanges replayed', () => {
  it('has recordings to replay', () => {
    expect(exchanges.length).toBeGreaterThan(0);
  });

  it.each(exchanges)('%s maps as it was recorded', (name) => {
    const replays = replayExchange(join(RECORDED, name), RULES);
    expect(replays.length).toBeGreaterThan(0);
    for (const replay of replays) expect(replay.replayed).toEqual(replay.recorded);
  });

  it('notices a translation that changed (here: the mapping rules the recording was made with are missing)', () => {
    const [replay] = replayExchange(join(RECORDED, 'cpo-cdr-2.2.1'), NO_RULES);
    expect(replay!.replayed).not.toEqual(replay!.recorded);
  });
});

/**
 * Recorded exchanges (fixtures/recorded/, written by `trace export` from a real run) replayed through
 * today's mappers: what the bridge would send now is what it sent then, with the same findings.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NO_RULES } from '../../src/mapping/rules';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import { RULES, startCpoScene, until, type CpoScene } from '../support/cpo-scene';
import { RECORDED, replayCdrThroughFlows, replayExchange } from '../support/replay';

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

describe('a recorded CDR replayed through the flows', () => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3');
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  it('reaches the Hubject simulator as it reached it when recorded (under the SessionID Hubject gives now)', async () => {
    const peer = await scene.withCard('AABBCCDD');
    const { recorded, replayed } = await replayCdrThroughFlows(join(RECORDED, 'cpo-cdr-2.2.1'), {
      authorize: async (uid, location) => {
        const answer = await peer.authorize(uid, 'RFID', location);
        if (!answer.ok) throw new Error(answer.failure.message);
        return (answer.value as { authorization_reference: string }).authorization_reference;
      },
      postCdr: async (cdr) => {
        const posted = await peer.postCdr(cdr);
        if (!posted.ok) throw new Error(posted.failure.message);
      },
      receivedCdr: async (sessionId) => {
        const of = () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').find((c) => c.SessionID === sessionId);
        await until('the hub has the replayed CDR', () => of() !== undefined);
        return of();
      },
    });
    expect(replayed).toEqual(recorded);
  }, 30_000);
});

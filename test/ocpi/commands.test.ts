/**
 * The Commands module over HTTP after a real handshake, both sides: the bridge as CPO takes
 * commands and answers CommandResponses; the bridge as eMSP takes the asynchronous results at the
 * response_url it handed out. 2.2.1 and 2.1.1 (no CANCEL_RESERVATION, results as CommandResponse).
 */
import { commandReceiverRoutes, commandResultRoutes, type CommandType } from '../../src/ocpi/commands';
import type { CommandResponse, CommandResult, Token } from '../../src/ocpi/wire/transaction-schemas';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';

const TOKEN_221 = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
const TOKEN_211 = corpusJson('2.1.1', 'token_example.json') as Record<string, unknown>;

const received: { type: CommandType; body: unknown }[] = [];
const results: { type: CommandType; id: string; result: CommandResult }[] = [];

async function cpoWorld(version: OcpiVersion): Promise<OcpiWorld> {
  const handler = {
    command: (type: CommandType, body: unknown): Promise<CommandResponse> => {
      received.push({ type, body });
      return Promise.resolve({ result: 'ACCEPTED', timeout: 30 });
    },
  };
  return startOcpiWorld({ version, role: 'EMSP', bridgeRole: 'CPO', modules: () => [{ identifier: 'commands', role: 'RECEIVER', versions: ['2.1.1', '2.2.1'], router: commandReceiverRoutes(handler) }] });
}

async function empWorld(version: OcpiVersion): Promise<OcpiWorld> {
  const handler = {
    result: (type: CommandType, id: string, result: CommandResult): Promise<boolean> => {
      results.push({ type, id, result });
      return Promise.resolve(id === 'cmd-1');
    },
  };
  return startOcpiWorld({ version, role: 'CPO', bridgeRole: 'EMSP', modules: () => [{ identifier: 'commands', role: 'SENDER', versions: ['2.1.1', '2.2.1'], router: commandResultRoutes(handler) }] });
}

describe.each(['2.2.1', '2.1.1'] as const)('OCPI %s Commands', (version) => {
  const token = version === '2.2.1' ? TOKEN_221 : TOKEN_211;
  const start = { response_url: 'https://emsp.example/commands/START_SESSION/1', token, location_id: 'LOC1', evse_uid: '3256' };

  it('the bridge as CPO takes each command and answers a CommandResponse in the version’s shape', async () => {
    const w = await cpoWorld(version);
    try {
      const res = await w.call('post', 'commands', '/START_SESSION', start);
      expect([res.status, res.body.status_code]).toEqual([200, 1000]);
      expect(res.body.data).toEqual(version === '2.2.1' ? { result: 'ACCEPTED', timeout: 30 } : { result: 'ACCEPTED' });
      // A 2.1.1 token arrives as 2.2.1: auth_id became contract_id, the owner is the caller.
      expect(received.at(-1)).toMatchObject({ type: 'START_SESSION', body: { location_id: 'LOC1', token: { uid: token.uid, country_code: version === '2.2.1' ? TOKEN_221.country_code : 'NL' } } });
      const stop = await w.call('post', 'commands', '/STOP_SESSION', { response_url: 'https://emsp.example/r/2', session_id: 'S1' });
      expect(stop.body.status_code).toBe(1000);
      const unlock = await w.call('post', 'commands', '/UNLOCK_CONNECTOR', { response_url: 'https://emsp.example/r/3', location_id: 'LOC1', evse_uid: '3256', connector_id: '1' });
      expect(unlock.body.status_code).toBe(1000);
      const cancel = await w.call('post', 'commands', '/CANCEL_RESERVATION', { response_url: 'https://emsp.example/r/4', reservation_id: '12' });
      expect([cancel.status, cancel.body.status_code]).toEqual(version === '2.2.1' ? [200, 1000] : [404, 2000]);
      const unknown = await w.call('post', 'commands', '/SELF_DESTRUCT', {});
      expect([unknown.status, unknown.body.status_code]).toEqual([404, 2000]);
      const count = received.length;
      const broken = await w.call('post', 'commands', '/START_SESSION', { ...start, location_id: undefined });
      expect([broken.body.status_code, broken.body.status_message]).toEqual([2001, expect.stringContaining('location_id')]);
      expect(received.length).toBe(count);
    } finally {
      await w.close();
    }
  });

  it('the bridge as eMSP takes the asynchronous result of its command; an unknown one gets 404', async () => {
    const w = await empWorld(version);
    try {
      // 2.2.1 posts a CommandResult, 2.1.1 a CommandResponse: for ACCEPTED they look alike.
      const result = { result: 'ACCEPTED' };
      const res = await w.call('post', 'commands', '/START_SESSION/cmd-1', result);
      expect([res.status, res.body.status_code]).toEqual([200, 1000]);
      expect(results.at(-1)).toEqual({ type: 'START_SESSION', id: 'cmd-1', result: { result: 'ACCEPTED' } });
      if (version === '2.1.1') {
        // 2.1.1 reports a CPO that did not answer in time as TIMEOUT.
        expect((await w.call('post', 'commands', '/STOP_SESSION/cmd-1', { result: 'TIMEOUT' })).body.status_code).toBe(1000);
        expect(results.at(-1)!.result.result).toBe('TIMEOUT');
      }
      const unknown = await w.call('post', 'commands', '/START_SESSION/cmd-9', result);
      expect([unknown.status, unknown.body.status_code]).toEqual([404, 2001]);
      const broken = await w.call('post', 'commands', '/START_SESSION/cmd-1', { result: 'MAYBE' });
      expect(broken.body.status_code).toBe(2001);
    } finally {
      await w.close();
    }
  });
});

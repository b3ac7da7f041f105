/**
 * The client side of every module (OcpiPeer), driven against the bridge's servers after a real
 * handshake, in 2.2.1 and 2.1.1: canonical objects go out in the peer's version and arrive back as
 * the same 2.2.1 objects; lists come back raised; commands and their results cross; what cannot be
 * written in 2.1.1 is not sent, and says why.
 */
import { cdrReceiverRoutes } from '../../src/ocpi/cdrs';
import { OcpiClient } from '../../src/ocpi/client';
import { commandReceiverRoutes, commandResultRoutes } from '../../src/ocpi/commands';
import { pageOf } from '../../src/ocpi/pagination';
import { OcpiPeer } from '../../src/ocpi/peer';
import { RECEIVER_MODULES, receiverRoutes, type ObjectReceiver } from '../../src/ocpi/receiver';
import { SENDER_MODULES, senderRoutes } from '../../src/ocpi/sender';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { Cdr, CommandResult, Token } from '../../src/ocpi/wire/transaction-schemas';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import type { Finding } from '../../src/core/findings';
import { corpusJson } from '../support/corpus';
import { differences, unexplained } from '../support/round-trip';
import { quietLogger } from '../support/oicp-network';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';

const logger = quietLogger();
const client = new OcpiClient({ logger, retryDelayMs: 1 });
const SIM = { role: 'CPO', countryCode: 'NL', partyId: 'SIM' };
const LOCATION: Location = { ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM' };
const TOKEN = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
const CDR: Cdr = { ...(corpusJson('2.2.1', 'cdr_example.json') as Cdr), country_code: 'NL', party_id: 'SIM', cdr_location: { ...(corpusJson('2.2.1', 'cdr_example.json') as Cdr).cdr_location, id: LOCATION.id } };

/** Everything the bridge received, by module, with the findings of reading it. */
const inbox: { module: string; what: string; value: unknown; findings?: Finding[] }[] = [];
const objects: ObjectReceiver = {
  put: (level, _ref, object, context) => Promise.resolve(void inbox.push({ module: level, what: 'put', value: object, findings: context.findings })),
  patch: (level, ref, changes) => {
    if (ref.ids[0] === 'NOPE') return Promise.resolve(false);
    inbox.push({ module: level, what: 'patch', value: changes });
    return Promise.resolve(true);
  },
  get: () => Promise.resolve(undefined),
  delete: (level, ref) => Promise.resolve(ref.ids[0] !== 'NOPE' && inbox.push({ module: level, what: 'delete', value: ref.ids }) > 0),
};
const options = { timeZoneOf: () => 'Europe/Amsterdam', locationOf: () => Promise.resolve(LOCATION) };

/** The bridge as eMSP toward the simulated CPO: receivers, the CDR receiver and the command results; the CPO's peer object for the bridge. */
async function cpoSide(version: OcpiVersion): Promise<{ w: OcpiWorld; peer: OcpiPeer }> {
  const w = await startOcpiWorld({
    version,
    role: 'CPO',
    bridgeRole: 'EMSP',
    modules: (publicUrl) => [
      ...Object.values(RECEIVER_MODULES).map((m) => ({ identifier: m.identifier, role: 'RECEIVER' as const, versions: ['2.1.1', '2.2.1'] as const, router: receiverRoutes(m, objects, options) })),
      { identifier: 'cdrs', role: 'RECEIVER', versions: ['2.1.1', '2.2.1'], router: cdrReceiverRoutes({ post: (cdr) => Promise.resolve(inbox.push({ module: 'cdrs', what: 'post', value: cdr }) > 0 ? 'stored' : 'conflict'), get: () => Promise.resolve(undefined) }, { ...options, publicUrl }) },
      { identifier: 'commands', role: 'SENDER', versions: ['2.1.1', '2.2.1'], router: commandResultRoutes({ result: (type, id, result) => Promise.resolve(inbox.push({ module: 'commands', what: `${type}/${id}`, value: result }) > 0) }) },
    ],
  });
  return { w, peer: new OcpiPeer((await w.backend.store.parties.get('bridge'))!, client, SIM, options) };
}

/** The bridge as CPO toward the simulated eMSP: senders and the command receiver; the eMSP's peer object for the bridge. */
async function empSide(version: OcpiVersion): Promise<{ w: OcpiWorld; peer: OcpiPeer }> {
  const sender = { list: () => Promise.resolve(pageOf([{ ...LOCATION, country_code: 'DE', party_id: 'BRG' }], { offset: 0, limit: 10 })) };
  const w = await startOcpiWorld({
    version,
    role: 'EMSP',
    bridgeRole: 'CPO',
    modules: (publicUrl) => [
      { identifier: 'locations', role: 'SENDER', versions: ['2.1.1', '2.2.1'], router: senderRoutes(SENDER_MODULES.locations, sender, { publicUrl, logger, ...options }) },
      { identifier: 'commands', role: 'RECEIVER', versions: ['2.1.1', '2.2.1'], router: commandReceiverRoutes({
          command: (type, body) => {
            inbox.push({ module: 'commands', what: type, value: body });
            return Promise.resolve({ result: 'ACCEPTED', timeout: 30 });
          },
        }),
      },
    ],
  });
  return { w, peer: new OcpiPeer((await w.backend.store.parties.get('bridge'))!, client, { ...SIM, role: 'EMSP' }, options) };
}

describe.each(['2.2.1', '2.1.1'] as const)('OCPI %s peer client', (version) => {
  it('a CPO pushes locations, EVSE patches and a CDR, and posts a command result; the bridge receives them as 2.2.1', async () => {
    const { w, peer } = await cpoSide(version);
    try {
      inbox.length = 0;
      const put = await peer.put('locations', SIM, [LOCATION.id], LOCATION);
      expect(put).toMatchObject({ ok: true });
      const { value: received, findings: upFindings } = inbox.at(-1)!;
      expect(received).toMatchObject({ id: LOCATION.id, country_code: 'NL', party_id: 'SIM', evses: [{ uid: LOCATION.evses![0]!.uid }, { uid: LOCATION.evses![1]!.uid }] });
      // Through 2.1.1 and back, every difference is one a finding named, on the way down or up.
      expect(unexplained(differences(LOCATION, received), [...put.findings, ...upFindings!])).toEqual([]);
      if (version === '2.2.1') expect(received).toEqual(LOCATION);

      const evse = LOCATION.evses![0]!;
      // The bridge stamps with milliseconds; 2.1.1 DateTimes have no fraction, so a 2.1.1 peer gets whole seconds.
      expect(await peer.patch('locations', SIM, [LOCATION.id, evse.uid], { status: 'CHARGING', last_updated: '2026-01-01T00:00:00.337Z' })).toMatchObject({ ok: true });
      expect(inbox.at(-1)).toEqual({ module: 'evse', what: 'patch', value: { status: 'CHARGING', last_updated: version === '2.1.1' ? '2026-01-01T00:00:00Z' : '2026-01-01T00:00:00.337Z' } });

      expect(await peer.postCdr(CDR)).toMatchObject({ ok: true });
      expect(inbox.at(-1)).toMatchObject({ module: 'cdrs', value: { id: CDR.id, total_energy: CDR.total_energy } });

      const result: CommandResult = { result: 'ACCEPTED' };
      expect(await peer.commandResult(`${w.bridge.url}/ocpi/${version}/commands/START_SESSION/cmd-7`, result)).toMatchObject({ ok: true });
      expect(inbox.at(-1)).toEqual({ module: 'commands', what: 'START_SESSION/cmd-7', value: result });

      const refused = await peer.patch('locations', SIM, ['NOPE'], { name: 'x', last_updated: '2026-01-01T00:00:00Z' });
      expect(refused).toMatchObject({ ok: false, failure: { kind: 'http', httpStatus: 404 } });

      expect(await peer.delete('tariffs', SIM, ['12'])).toMatchObject({ ok: true });
      expect(inbox.at(-1)).toEqual({ module: 'tariff', what: 'delete', value: ['12'] });
      expect(await peer.delete('tariffs', SIM, ['NOPE'])).toMatchObject({ ok: false });
    } finally {
      await w.close();
    }
  });

  it('an eMSP pulls the bridge’s locations raised to 2.2.1 and sends commands', async () => {
    const { w, peer } = await empSide(version);
    try {
      const pulled: unknown[] = [];
      for await (const location of peer.pull('locations')) pulled.push(location);
      expect(pulled).toEqual([expect.objectContaining({ id: LOCATION.id, country_code: 'DE', party_id: 'BRG' })]);
      const start = { response_url: `${w.backendServer.url}/ocpi/${version}/commands/START_SESSION/1`, token: TOKEN, location_id: LOCATION.id, evse_uid: LOCATION.evses![0]!.uid };
      expect(await peer.command('START_SESSION', start)).toMatchObject({ ok: true, value: { result: 'ACCEPTED' } });
      expect(inbox.at(-1)).toMatchObject({ what: 'START_SESSION', value: { location_id: LOCATION.id, token: { uid: TOKEN.uid } } });
      const cancel = await peer.command('CANCEL_RESERVATION', { response_url: 'https://x.example/r', reservation_id: '1' });
      expect(cancel.ok).toBe(version === '2.2.1');
    } finally {
      await w.close();
    }
  });
});

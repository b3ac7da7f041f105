/**
 * The CDRs Receiver over HTTP after a real handshake: the official CDR posted in 2.2.1 and 2.1.1,
 * read back at the Location the answer names; retries answered alike, a different CDR under a used
 * id, a foreign owner and a broken body refused.
 */
import { cdrReceiverRoutes, type CdrReceiver } from '../../src/ocpi/cdrs';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { Cdr } from '../../src/ocpi/wire/transaction-schemas';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';

class MemoryCdrs implements CdrReceiver {
  readonly cdrs = new Map<string, Cdr>();
  post(cdr: Cdr): Promise<'stored' | 'same' | 'conflict'> {
    const key = `${cdr.country_code}/${cdr.party_id}/${cdr.id}`;
    const known = this.cdrs.get(key);
    if (known) return Promise.resolve(JSON.stringify(known) === JSON.stringify(cdr) ? 'same' : 'conflict');
    this.cdrs.set(key, cdr);
    return Promise.resolve('stored');
  }
  get(ref: { countryCode: string; partyId: string; id: string }): Promise<Cdr | undefined> {
    return Promise.resolve(this.cdrs.get(`${ref.countryCode}/${ref.partyId}/${ref.id}`));
  }
}

async function world(version: OcpiVersion): Promise<OcpiWorld & { handler: MemoryCdrs }> {
  const handler = new MemoryCdrs();
  const location = { ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM' };
  const options = { locationOf: () => Promise.resolve({ ...location, id: 'LOC1', evses: [{ ...location.evses![0]!, uid: '3256', connectors: [{ ...location.evses![0]!.connectors[0]!, id: '1' }] }] }) };
  const modules = (publicUrl: () => string) => [{ identifier: 'cdrs', role: 'RECEIVER' as const, versions: ['2.1.1', '2.2.1'] as const, router: cdrReceiverRoutes(handler, { ...options, publicUrl }) }];
  return { ...(await startOcpiWorld({ version, role: 'CPO', bridgeRole: 'EMSP', modules })), handler };
}

describe.each(['2.2.1', '2.1.1'] as const)('OCPI %s CDRs receiver', (version) => {
  let w: OcpiWorld & { handler: MemoryCdrs };
  beforeAll(async () => {
    w = await world(version);
  });
  afterAll(async () => {
    await w.close();
  });

  /** The official CDR; the 2.1.1 one with its known defect (a two-letter country) mended. */
  const official = () => {
    if (version === '2.2.1') return { ...(corpusJson('2.2.1', 'cdr_example.json') as Cdr), country_code: 'NL', party_id: 'SIM' };
    const cdr = corpusJson('2.1.1', 'cdr_example.json') as { location: Record<string, unknown> };
    return { ...cdr, location: { ...cdr.location, country: 'BEL' } };
  };

  it('stores the official CDR, names where it is, answers a retry alike and refuses another CDR under its id', async () => {
    const cdr = official() as { id: string };
    const posted = await w.call('post', 'cdrs', '', cdr);
    expect([posted.status, posted.body.status_code, posted.body.status_message]).toEqual([200, 1000, undefined]);
    expect(posted.headers.location).toBe(`${w.bridge.url}/ocpi/${version}/cdrs/NL/SIM/${cdr.id}`);
    const stored = [...w.handler.cdrs.values()][0]!;
    expect(stored).toMatchObject({ country_code: 'NL', party_id: 'SIM', id: cdr.id });
    const again = await w.call('post', 'cdrs', '', cdr);
    expect([again.body.status_code, again.headers.location]).toEqual([1000, posted.headers.location]);
    const other = await w.call('post', 'cdrs', '', { ...cdr, total_energy: 99 });
    expect([other.body.status_code, other.body.status_message]).toEqual([2001, `a different CDR with id ${cdr.id} was received before`]);

    const back = await w.call('get', 'cdrs', new URL(posted.headers.location!).pathname.replace(`/ocpi/${version}/cdrs`, ''));
    expect([back.body.status_code, back.body.status_message]).toEqual([1000, undefined]);
    if (version === '2.2.1') expect(back.body.data).toEqual(stored);
    else expect(back.body.data).toMatchObject({ id: cdr.id, auth_id: expect.any(String) });
  });

  it('refuses a broken body with 2001 naming the field, and an unknown CDR with 404', async () => {
    const broken = await w.call('post', 'cdrs', '', { ...(official() as object), total_energy: 'a lot' });
    expect([broken.body.status_code, broken.body.status_message]).toEqual([2001, expect.stringContaining('total_energy')]);
    expect((await w.call('get', 'cdrs', '/NL/SIM/NOPE')).status).toBe(404);
  });

  if (version === '2.2.1') {
    it('refuses a CDR of a party the caller did not register as', async () => {
      const foreign = await w.call('post', 'cdrs', '', { ...(official() as object), id: 'X1', country_code: 'DE', party_id: 'ABC' });
      expect([foreign.body.status_code, foreign.body.status_message]).toEqual([2001, 'country_code/party_id DE/ABC: not a party you registered as']);
    });
  }
});
it('refuses the official 2.1.1 CDR as published: its two-letter country breaks 2.2.1, and nothing reaches the handler', async () => {
  const w = await world('2.1.1');
  try {
    const res = await w.call('post', 'cdrs', '', corpusJson('2.1.1', 'cdr_example.json'));
    expect([res.body.status_code, res.body.status_message]).toEqual([2001, expect.stringContaining('cdr_location.country')]);
    expect(w.handler.cdrs.size).toBe(0);
  } finally {
    await w.close();
  }
});

import { join } from 'node:path';
import { runTs } from '../support/child';
import { BACKENDS, describeBackend, TEST_POLICY, type StoreSite } from '../support/stores';

const CHILD = join(__dirname, '..', 'support', 'outbox-child.ts');

/** Runs the child until it prints `marker`, then kills it without warning. */
async function killAfter(site: StoreSite, mode: string, marker: RegExp): Promise<string> {
  const child = runTs(CHILD, [mode, JSON.stringify(site.config)]);
  const [line] = await child.waitFor(marker);
  child.process.kill('SIGKILL');
  expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
  return line;
}

for (const backend of BACKENDS) {
  describeBackend(backend, () => {
    let site: StoreSite;
    beforeEach(() => {
      site = backend.site();
    });
    afterEach(() => site.destroy());

    it('keeps an enqueued item across a SIGKILL before it was sent, and a killed sender does not lose or duplicate it', async () => {
      const enqueued = await killAfter(site, 'enqueue', /ENQUEUED (\d+)/);
      const id = Number(enqueued.split(' ')[1]);

      const before = await site.open();
      expect(await before.correlations.byOcpi('session', 'ocpi-s1')).toMatchObject({ oicpId: 'hubject-s1' });
      expect(await before.outbox.get(id)).toMatchObject({ state: 'pending', attempts: 0, payload: { cdr: 'OCMF|{"FV":"1.0"}|{"SD":"AB12"}' } });
      await before.close();

      // Killed again after claiming, before completing: the item stays reserved for the lease, then is due again.
      await killAfter(site, 'claim', new RegExp(`CLAIMED ${id}`));
      let now = Date.now();
      const after = await site.open({ now: () => now });
      try {
        expect(await after.outbox.claim({ limit: 1 })).toEqual([]);
        now += TEST_POLICY.leaseMs + 1;
        const [again] = await after.outbox.claim({ limit: 1 });
        expect(again).toMatchObject({ id, attempts: 2 });
        expect(await after.outbox.complete(again!)).toBe(true);
        // Delivered once: the same CDR offered again is recognised, not queued a second time.
        expect(await after.outbox.enqueue({ topic: 'oicp.cdr', key: 'hubject-s1', payload: {} })).toEqual({ id, created: false });
        expect(await after.outbox.depth()).toEqual({ pending: 0, dead: 0 });
      } finally {
        await after.close();
      }
    });

    it('leaves nothing behind when killed inside a transaction', async () => {
      await killAfter(site, 'half-transaction', /INSIDE/);
      const store = await site.open();
      try {
        expect(await store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
        expect(await store.correlations.byOcpi('session', 'ocpi-s2')).toBeUndefined();
        // And the store is writable again: no lock outlived the dead process.
        expect((await store.outbox.enqueue({ topic: 'oicp.cdr', key: 'hubject-s2', payload: 'now' })).created).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
}

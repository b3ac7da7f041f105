/**
 * A process that does one thing to the store, says so on stdout, then waits to be killed: the
 * parent test SIGKILLs it at that exact point and checks what survived.
 */
import { openStore } from '../../src/store';
import type { StoreConfig } from '../../src/config/schema';
import { TEST_POLICY } from './stores';

const [mode, configJson] = process.argv.slice(2);
const hang = () => setInterval(() => undefined, 60_000);

void (async () => {
  const store = await openStore(JSON.parse(configJson!) as StoreConfig, TEST_POLICY);
  switch (mode) {
    case 'enqueue': {
      const { id } = await store.transaction(async (tx) => {
        await tx.correlations.put({ kind: 'session', ocpiId: 'ocpi-s1', oicpId: 'hubject-s1' });
        return tx.outbox.enqueue({ topic: 'oicp.cdr', key: 'hubject-s1', payload: { cdr: 'OCMF|{"FV":"1.0"}|{"SD":"AB12"}' } });
      });
      console.log(`ENQUEUED ${id}`);
      hang();
      break;
    }
    case 'claim': {
      const [item] = await store.outbox.claim({ limit: 1 });
      console.log(`CLAIMED ${item?.id ?? 'nothing'}`);
      hang();
      break;
    }
    case 'half-transaction':
      await store.transaction(async (tx) => {
        await tx.outbox.enqueue({ topic: 'oicp.cdr', key: 'hubject-s2', payload: 'never committed' });
        await tx.correlations.put({ kind: 'session', ocpiId: 'ocpi-s2', oicpId: 'hubject-s2' });
        console.log('INSIDE');
        await new Promise(() => hang());
      });
      break;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
})();

/**
 * CPO side, CDRs (issue 7): a CDR the backend posts is answered 1000 only once it is stored
 * together with its outbox item, keyed by Hubject's SessionID, so each session yields one
 * ChargeDetailRecord whatever the retries and restarts. The deliverer counts Hubject's answer to a
 * second CDR for a session (009) as delivered: an earlier attempt got through before its answer was
 * lost. (REST answers it with HTTP 409, SOAP with a fault; the StatusCode is what both carry.)
 */
import type { Logger } from '../../observability/logger';
import { ocpiCdrToOicp } from '../../mapping/cdr';
import type { MappingRules } from '../../mapping/rules';
import type { OicpClient } from '../../oicp/client';
import type { CdrReceiver } from '../../ocpi/cdrs';
import type { Cdr } from '../../ocpi/transaction-schemas';
import { OcpiError } from '../../ocpi/transport';
import { ownerKey, ownerOf, type Store } from '../../store';
import { callDeliverer, type Deliverer } from '../outbox-worker';
import { AUTHORIZATION_KIND, matchingAuthorization } from './authorizations';

export const CDR_TOPIC = 'oicp:ChargeDetailRecord';

export interface CpoCdrsOptions {
  store: Store;
  rules: MappingRules;
  logger: Logger;
}

export function cpoCdrs(options: CpoCdrsOptions): CdrReceiver {
  const { store } = options;
  return {
    async post(cdr) {
      const known = await store.objects.get<Cdr>('cdrs', ownerOf(cdr), cdr.id);
      if (known) return JSON.stringify(known.body) === JSON.stringify(cdr) ? 'same' : 'conflict';
      const reference =
        cdr.authorization_reference ??
        (await matchingAuthorization(store, { tokenNames: [cdr.cdr_token.uid, cdr.cdr_token.contract_id], evseId: cdr.cdr_location.evse_id, startedAt: cdr.start_date_time }));
      const authorization = reference === undefined ? undefined : await store.correlations.byOcpi(AUTHORIZATION_KIND, reference);
      const record = ocpiCdrToOicp(cdr, { rules: options.rules, correlation: { ...(authorization && { sessionId: authorization.oicpId }) } });
      if (record.value === undefined) {
        // Refused before anything is stored: the backend learns why, and Hubject is not asked to refuse it.
        throw new OcpiError(2001, `this CDR cannot go to Hubject: ${record.findings.filter((f) => f.kind === 'invalid').map((f) => `${f.path}: ${f.message}`).join('; ')}`);
      }
      if (record.findings.length > 0) options.logger.info('CDR mapped', { cdr: cdr.id, findings: record.findings });
      const sessionId = record.value.SessionID;
      await store.transaction(async (tx) => {
        await tx.objects.put('cdrs', ownerOf(cdr), cdr.id, cdr);
        // Keyed by SessionID: a second CDR for the session is never sent.
        const { created } = await tx.outbox.enqueue({ topic: CDR_TOPIC, key: sessionId, payload: record.value });
        if (!created) options.logger.warn('a CDR for this Hubject session was already sent; this one is kept, not sent', { cdr: cdr.id, sessionId });
      });
      return 'stored';
    },
    get: async (ref) => (await store.objects.get<Cdr>('cdrs', ownerKey(ref), ref.id))?.body,
  };
}

/** Sends each CDR on its own; Hubject's "already received" (009) means an earlier attempt arrived. */
export const cdrDeliverer = (client: OicpClient): Deliverer => callDeliverer(client, 'ChargeDetailRecord', ['009']);

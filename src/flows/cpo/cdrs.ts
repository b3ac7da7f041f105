/**
 * CPO side, CDRs (issue 7): a CDR the backend posts is answered 1000 only once it is stored
 * together with its outbox item, keyed by Hubject's SessionID, so each session yields one
 * ChargeDetailRecord whatever the retries and restarts. What Hubject would refuse is refused here,
 * before the acknowledgement, with the reason: a CDR naming an authorization Hubject never gave, a
 * second different CDR for a session that has one. The deliverer counts Hubject's answer to a
 * second CDR for a session (009) as delivered: an earlier attempt got through before its answer was
 * lost. (REST answers it with HTTP 409, SOAP with a fault; the StatusCode is what both carry.)
 */
import type { Logger } from '../../observability/logger';
import { ocpiCdrToOicp } from '../../mapping/cdr';
import type { MappingRules } from '../../mapping/rules';
import type { OicpCaller } from '../../oicp/client';
import type { CdrReceiver } from '../../ocpi/cdrs';
import type { Cdr } from '../../ocpi/wire/transaction-schemas';
import { OcpiError } from '../../ocpi/wire/transport';
import { CorrelationConflictError, ownerKey, ownerOf, type Store } from '../../store';
import { callDeliverer, type Deliverer } from '../outbox-worker';
import { AUTHORIZATION_KIND, matchingAuthorization } from './authorization-index';
import { sessionOrder } from './sessions';

export const CDR_TOPIC = 'oicp:ChargeDetailRecord';

export interface CpoCdrsOptions {
  store: Store;
  rules: MappingRules;
  logger: Logger;
}

/** The correlation of a CDR sent to Hubject: the OCPI owner/CDR id <-> Hubject's SessionID (one CDR per session). */
export const CDR_KIND = 'cdr';

export function cpoCdrs(options: CpoCdrsOptions): CdrReceiver {
  const { store } = options;
  return {
    async post(cdr) {
      const owner = ownerOf(cdr);
      const known = await store.objects.get<Cdr>('cdrs', owner, cdr.id);
      if (known) return JSON.stringify(known.body) === JSON.stringify(cdr) ? 'same' : 'conflict';
      const reference =
        cdr.authorization_reference ??
        (await matchingAuthorization(store, { tokenNames: [cdr.cdr_token.uid, cdr.cdr_token.contract_id], evseId: cdr.cdr_location.evse_id, startedAt: cdr.start_date_time }));
      const authorization = reference === undefined ? undefined : await store.correlations.byOcpi(AUTHORIZATION_KIND, reference);
      // Refused before anything is stored: the backend learns why, and Hubject is never asked to refuse it ("Session is invalid").
      if (cdr.authorization_reference !== undefined && !authorization) {
        throw new OcpiError(2001, `authorization_reference ${cdr.authorization_reference} names no authorization Hubject gave through this bridge; Hubject takes CDRs only for sessions it authorized`);
      }
      const record = ocpiCdrToOicp(cdr, { rules: options.rules, correlation: { ...(authorization && { sessionId: authorization.oicpId }) } });
      if (record.value === undefined) {
        throw new OcpiError(2001, `this CDR cannot go to Hubject: ${record.findings.filter((f) => f.kind === 'invalid').map((f) => `${f.path}: ${f.message}`).join('; ')}`);
      }
      if (record.findings.length > 0) options.logger.info('CDR mapped', { cdr: cdr.id, findings: record.findings });
      const sessionId = record.value.SessionID;
      const cdrRef = `${owner}/${cdr.id}`;
      const secondCdr = (first: string) => new OcpiError(2001, `Hubject session ${sessionId} already has CDR ${first.slice(first.indexOf('/') + 1)}; OICP takes one CDR per session`);
      try {
        return await store.transaction(async (tx) => {
          await tx.objects.lock('cdrs', owner, cdr.id);
          // A retry racing the first POST: answered as the first was.
          const raced = await tx.objects.get<Cdr>('cdrs', owner, cdr.id);
          if (raced) return JSON.stringify(raced.body) === JSON.stringify(cdr) ? ('same' as const) : ('conflict' as const);
          const first = await tx.correlations.byOicp(CDR_KIND, sessionId);
          if (first && first.ocpiId !== cdrRef) throw secondCdr(first.ocpiId);
          await tx.correlations.put({ kind: CDR_KIND, ocpiId: cdrRef, oicpId: sessionId });
          await tx.objects.put('cdrs', owner, cdr.id, cdr);
          // Keyed by SessionID: however often it is offered, one ChargeDetailRecord per session; after the session's notifications.
          await tx.outbox.enqueue({ topic: CDR_TOPIC, key: sessionId, payload: record.value, order: sessionOrder(sessionId) });
          return 'stored' as const;
        });
      } catch (err) {
        // Two different CDRs for one session posted at the same moment: the second loses the race here.
        if (err instanceof CorrelationConflictError) throw secondCdr((await store.correlations.byOicp(CDR_KIND, sessionId))?.ocpiId ?? '/?');
        throw err;
      }
    },
    get: async (ref) => (await store.objects.get<Cdr>('cdrs', ownerKey(ref), ref.id))?.body,
  };
}

/** Sends each CDR on its own; Hubject's "already received" (009) means an earlier attempt arrived. */
export const cdrDeliverer = (client: OicpCaller): Deliverer => callDeliverer(client, 'ChargeDetailRecord', ['009']);

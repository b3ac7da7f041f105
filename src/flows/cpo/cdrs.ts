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

interface CpoCdrsOptions {
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
      const cdrRef = `${owner}/${cdr.id}`;
      // A CDR posted again is answered as the first was, even when what it names is gone by now.
      const asBefore = (body: unknown) => (JSON.stringify(body) === JSON.stringify(cdr) ? ('same' as const) : ('conflict' as const));
      const refuse = async (error: OcpiError) => {
        const known = await store.objects.get<Cdr>('cdrs', owner, cdr.id);
        if (known) return asBefore(known.body);
        throw error;
      };
      const named = cdr.authorization_reference;
      const unauthorized = () => refuse(new OcpiError(2001, `authorization_reference ${named} names no authorization Hubject gave through this bridge; Hubject takes CDRs only for sessions it authorized`));
      // An authorization's reference is Hubject's SessionID, stored paired with itself (recordAuthorization): a CDR
      // naming one maps with it, and the accept below writes only if that pair is there, instead of a read before it.
      const matched =
        named === undefined
          ? await matchingAuthorization(store, { tokenNames: [cdr.cdr_token.uid, cdr.cdr_token.contract_id], evseId: cdr.cdr_location.evse_id, startedAt: cdr.start_date_time })
          : undefined;
      const correlated = named ?? (matched === undefined ? undefined : (await store.correlations.byOcpi(AUTHORIZATION_KIND, matched))?.oicpId);
      const record = ocpiCdrToOicp(cdr, { rules: options.rules, correlation: { ...(correlated !== undefined && { sessionId: correlated }) } });
      if (record.value === undefined) {
        // Refused before anything is stored: the backend learns why, and Hubject is never asked to refuse it
        // ("Session is invalid"); an unknown authorization is the reason given first.
        if (named !== undefined && (await store.correlations.byOcpi(AUTHORIZATION_KIND, named))?.oicpId !== named) return unauthorized();
        return refuse(new OcpiError(2001, `this CDR cannot go to Hubject: ${record.findings.filter((f) => f.kind === 'invalid').map((f) => `${f.path}: ${f.message}`).join('; ')}`));
      }
      const sessionId = record.value.SessionID;
      try {
        // Keyed by SessionID: however often it is offered, one ChargeDetailRecord per session; after the session's notifications.
        const accepted = await store.acceptOnce({
          object: { module: 'cdrs', owner, id: cdr.id, body: cdr },
          correlation: { kind: CDR_KIND, ocpiId: cdrRef, oicpId: sessionId },
          announcement: { topic: CDR_TOPIC, key: sessionId, payload: record.value, order: sessionOrder(sessionId) },
          ...(named !== undefined && { requires: { kind: AUTHORIZATION_KIND, ocpiId: named, oicpId: named } }),
        });
        if (accepted.outcome === 'known') return asBefore(accepted.body);
        if (accepted.outcome === 'unmet') return unauthorized();
      } catch (err) {
        // A second CDR for the session, or two different CDRs for one session posted at the same moment.
        if (err instanceof CorrelationConflictError) {
          const first = (await store.correlations.byOicp(CDR_KIND, sessionId))?.ocpiId ?? '/?';
          throw new OcpiError(2001, `Hubject session ${sessionId} already has CDR ${first.slice(first.indexOf('/') + 1)}; OICP takes one CDR per session`);
        }
        throw err;
      }
      if (record.findings.length > 0) options.logger.info('CDR mapped', { cdr: cdr.id, findings: record.findings });
      return 'stored';
    },
    get: async (ref) => (await store.objects.get<Cdr>('cdrs', ownerKey(ref), ref.id))?.body,
  };
}

/** Sends each CDR on its own; Hubject's "already received" (009) means an earlier attempt arrived. */
export const cdrDeliverer = (client: OicpCaller): Deliverer => callDeliverer(client, 'ChargeDetailRecord', ['009']);

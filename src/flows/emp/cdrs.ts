/**
 * EMP side, CDRs (issue 8): Hubject's ChargeDetailRecord is converted (priced with the EVSE's
 * tariff, placed at the stored location), stored and announced in one transaction, and only then
 * acknowledged; the outbox POSTs it to the backend with retries, keyed by its id so it goes once
 * even when Hubject sends it again or the reconciliation finds it. A CDR that cannot be converted
 * yet (EVSE or tariff not pulled) is refused with 022: Hubject keeps it, and the periodic
 * GetChargeDetailRecords takes it once the network data is there.
 */
import { oicpCdrToOcpi } from '../../mapping/cdr';
import { OicpRefusal, acknowledgement } from '../../oicp/status-codes';
import type { Acknowledgement, ChargeDetailRecord } from '../../oicp/transaction-schemas';
import type { Cdr } from '../../ocpi/transaction-schemas';
import type { Deliverer } from '../outbox-worker';
import { backendDeliverer, peerDelivery } from '../ocpi-delivery';
import { ourKey, type EmpContext } from './context';
import { STATE_MODULE, type EmpNetwork } from './network';
import { refusalOf, tariffAt } from './sessions';
import type { EmpTokens } from './tokens';

export const CDR_TOPIC = 'ocpi:cdr';

/** How far back the first reconciliation looks, and the most any looks back. */
const FIRST_WINDOW_MS = 7 * 86_400_000;
const MAX_WINDOW_MS = 30 * 86_400_000;
/** Each reconciliation starts this long before the last one ended: CDRs Hubject took late. */
const OVERLAP_MS = 3_600_000;

export interface EmpCdrs {
  /** Takes one CDR: `stored` now, or `known` (stored before). Throws OicpRefusal when it cannot be converted. */
  take(record: ChargeDetailRecord): Promise<'stored' | 'known'>;
  /** Hubject's ChargeDetailRecord call. */
  receive(record: ChargeDetailRecord): Promise<Acknowledgement>;
  /** GetChargeDetailRecords over the window since the last run; what could not be taken is asked again next time. */
  reconcile(): Promise<{ pulled: number; stored: number; refused: number }>;
}

export function empCdrs(context: EmpContext, network: EmpNetwork, tokens: EmpTokens): EmpCdrs {
  const { store, logger } = context;
  const owner = ourKey(context);

  async function take(record: ChargeDetailRecord): Promise<'stored' | 'known'> {
    if (await store.objects.get('cdrs', owner, record.SessionID)) return 'known';
    const place = await network.locationOf(record.EvseID);
    const mapped = oicpCdrToOcpi(record, {
      rules: context.rules,
      ...(await tariffAt(context, place?.evse, record.PartnerProductID)),
      location: place?.location,
      provider: await tokens.provider(),
      token: await tokens.tokenOf(record.Identification),
      now: new Date(),
    });
    if (!mapped.value) throw new OicpRefusal('022', `the CDR cannot become an OCPI CDR yet: ${refusalOf(mapped.findings)}`);
    const cdr: Cdr = { ...mapped.value, country_code: context.us.countryCode, party_id: context.us.partyId };
    return store.transaction(async (tx) => {
      if (await tx.objects.get('cdrs', owner, cdr.id)) return 'known';
      await tx.objects.put('cdrs', owner, cdr.id, cdr);
      // After the session it closes: the backend gets the COMPLETED session before its CDR.
      await tx.outbox.enqueue({ topic: CDR_TOPIC, key: `cdr/${cdr.id}`, payload: { id: cdr.id }, order: `session:${cdr.session_id ?? cdr.id}` });
      return 'stored';
    });
  }

  async function receive(record: ChargeDetailRecord): Promise<Acknowledgement> {
    const outcome = await take(record);
    logger.info('CDR received from Hubject', { sessionId: record.SessionID, outcome });
    return acknowledgement('000', undefined, { SessionID: record.SessionID });
  }

  async function reconcile() {
    const state = (await store.objects.get<{ to?: string }>(STATE_MODULE, owner, 'cdr-reconcile'))?.body ?? {};
    const to = new Date();
    const from = new Date(Math.max(to.getTime() - MAX_WINDOW_MS, state.to ? Date.parse(state.to) - OVERLAP_MS : to.getTime() - FIRST_WINDOW_MS));
    const summary = { pulled: 0, stored: 0, refused: 0 };
    for await (const record of context.oicp.pages('GetChargeDetailRecords', { ProviderID: context.providerId, From: from.toISOString(), To: to.toISOString() })) {
      summary.pulled++;
      try {
        if ((await take(record)) === 'stored') summary.stored++;
      } catch (err) {
        if (!(err instanceof OicpRefusal)) throw err;
        summary.refused++;
        logger.warn('CDR from GetChargeDetailRecords not taken yet', { sessionId: record.SessionID, reason: err.message });
      }
    }
    // A window with a CDR not taken is asked again (from its start) next time.
    if (summary.refused === 0) await store.objects.put(STATE_MODULE, owner, 'cdr-reconcile', { to: to.toISOString() });
    if (summary.stored + summary.refused > 0) logger.info('CDRs reconciled with Hubject', summary);
    return summary;
  }

  return { take, receive, reconcile };
}

/** POSTs each stored CDR; the backend answers a repeated POST of the same CDR as the first. */
export function cdrDeliverer(context: EmpContext): Deliverer {
  const owner = ourKey(context);
  return backendDeliverer(context.backend, async (peer, item) => {
    const cdr = (await context.store.objects.get<Cdr>('cdrs', owner, (item.payload as { id: string }).id))?.body;
    return cdr ? peerDelivery(await peer.postCdr(cdr)) : { outcome: 'refused', reason: 'the CDR is no longer stored' };
  });
}

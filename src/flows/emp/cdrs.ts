/**
 * EMP side, CDRs (issue 8): Hubject's ChargeDetailRecord is converted (priced with the EVSE's
 * tariff, placed at the stored location), stored and announced in one transaction, and only then
 * acknowledged; the outbox POSTs it to the backend with retries, keyed by its id so it goes once
 * even when Hubject sends it again or the reconciliation finds it. A CDR that cannot be converted
 * yet (its EVSE not pulled, no tariff to price it) is accepted all the same — Hubject does not send a
 * refused CDR again, so refusing it would lose billing data — kept as it came and listed as held with
 * the reason; each pull of the network or the pricing tries the held ones again. With
 * `mapping.tariffs.unpricedCdrs: forward`, one that only lacks a price goes at once, at cost 0.
 */
import { oicpCdrToOcpi, type CdrToOcpiOptions } from '../../mapping/cdr';
import { acknowledgement } from '../../oicp/wire/status-codes';
import type { Acknowledgement, ChargeDetailRecord } from '../../oicp/wire/transaction-schemas';
import type { Tariff } from '../../ocpi/wire/schemas';
import type { Cdr } from '../../ocpi/wire/transaction-schemas';
import type { Deliverer } from '../outbox-worker';
import { backendDeliverer, peerDelivery } from '../ocpi-delivery';
import { ourKey, type EmpContext } from './context';
import { STATE_MODULE, type EmpNetwork } from './network';
import { UNPRICED_CURRENCY, refusalOf, tariffAt } from './sessions';
import type { EmpTokens } from './tokens';

export const CDR_TOPIC = 'ocpi:cdr';
/** Held-item kind of a CDR accepted from Hubject that cannot go to the backend yet. */
const HELD_CDR = 'cdr';
/** Hubject's records of the held CDRs, as they came, by SessionID. */
const HELD_CDRS_MODULE = 'emp:held-cdrs';

/** How far back the first reconciliation looks, and the most any looks back. */
const FIRST_WINDOW_MS = 7 * 86_400_000;
const MAX_WINDOW_MS = 30 * 86_400_000;
/** Each reconciliation starts this long before the last one ended: CDRs Hubject took late. */
const OVERLAP_MS = 3_600_000;

interface EmpCdrs {
  /** Takes one CDR: `stored` now, `known` (stored before), or `held` until it can be converted. */
  take(record: ChargeDetailRecord): Promise<'stored' | 'known' | 'held'>;
  /** Hubject's ChargeDetailRecord call. */
  receive(record: ChargeDetailRecord): Promise<Acknowledgement>;
  /** GetChargeDetailRecords over the window since the last run. */
  reconcile(): Promise<{ pulled: number; stored: number; held: number }>;
  /** Tries the held CDRs again (after a pull brought EVSEs or pricing); returns how many went and how many still wait. */
  retryHeld(): Promise<{ stored: number; held: number }>;
}

/** A tariff that prices nothing, for a CDR forwarded without a price (`unpricedCdrs: forward`). */
const unpricedTariff = (currency: string, at: Date): Tariff => ({
  country_code: 'ZZ',
  party_id: 'ZZZ',
  id: 'UNPRICED',
  currency,
  elements: [{ price_components: [{ type: 'ENERGY', price: 0, step_size: 1 }] }],
  last_updated: at.toISOString(),
});

export function empCdrs(context: EmpContext, network: EmpNetwork, tokens: EmpTokens): EmpCdrs {
  const { store, logger } = context;
  const owner = ourKey(context);

  /** The OCPI CDR of a record, or why there is none yet (`unpriced`: only a price is missing). */
  async function convert(record: ChargeDetailRecord): Promise<{ cdr: Cdr } | { reason: string; unpriced: boolean }> {
    const place = await network.locationOf(record.EvseID);
    const options: CdrToOcpiOptions = {
      rules: context.rules,
      ...(await tariffAt(context, place?.evse, record.PartnerProductID)),
      location: place?.location,
      provider: await tokens.provider(),
      token: await tokens.tokenOf(record.Identification),
      now: context.now(),
    };
    const mapped = oicpCdrToOcpi(record, options);
    if (mapped.value) return { cdr: mapped.value };
    const invalid = mapped.findings.filter((f) => f.kind === 'invalid');
    const unpriced = invalid.length > 0 && invalid.every((f) => f.path === 'PartnerProductID');
    if (unpriced && context.rules.tariffs.unpricedCdrs === 'forward') {
      const zero = oicpCdrToOcpi(record, { ...options, tariff: unpricedTariff(UNPRICED_CURRENCY, options.now) });
      if (zero.value) {
        const { tariffs: _none, ...cdr } = zero.value;
        return { cdr: { ...cdr, remark: 'Not priced: Hubject publishes no pricing product for this EVSE and no tariff is contracted; the cost is 0.' } };
      }
    }
    return { reason: refusalOf(mapped.findings), unpriced };
  }

  async function take(record: ChargeDetailRecord): Promise<'stored' | 'known' | 'held'> {
    if (await store.objects.get('cdrs', owner, record.SessionID)) return 'known';
    const converted = await convert(record);
    return store.transaction(async (tx) => {
      await tx.objects.lock('cdrs', owner, record.SessionID);
      if (await tx.objects.get('cdrs', owner, record.SessionID)) return 'known' as const;
      if (!('cdr' in converted)) {
        await tx.objects.put(HELD_CDRS_MODULE, owner, record.SessionID, record);
        const reason = converted.unpriced ? `not priced yet: ${converted.reason}` : `cannot become an OCPI CDR yet: ${converted.reason}`;
        await tx.held.hold({ kind: HELD_CDR, ref: record.SessionID, reason, details: { EvseID: record.EvseID, PartnerProductID: record.PartnerProductID ?? null } });
        return 'held' as const;
      }
      const cdr: Cdr = { ...converted.cdr, country_code: context.us.countryCode, party_id: context.us.partyId };
      await tx.objects.put('cdrs', owner, cdr.id, cdr);
      // After the session it closes: the backend gets the COMPLETED session before its CDR.
      await tx.outbox.enqueue({ topic: CDR_TOPIC, key: `cdr/${cdr.id}`, payload: { id: cdr.id }, order: `session:${cdr.session_id ?? cdr.id}` });
      if (await tx.objects.delete(HELD_CDRS_MODULE, owner, record.SessionID)) await tx.held.release(HELD_CDR, record.SessionID);
      return 'stored' as const;
    });
  }

  async function retryHeld(): Promise<{ stored: number; held: number }> {
    const summary = { stored: 0, held: 0 };
    for (const entry of await store.objects.list<ChargeDetailRecord>(HELD_CDRS_MODULE)) {
      if (entry.owner !== owner) continue;
      const outcome = await take(entry.body);
      if (outcome === 'held') summary.held++;
      else summary.stored++;
    }
    if (summary.stored > 0) logger.info('held CDRs from Hubject could be converted and go to the backend', summary);
    return summary;
  }

  async function receive(record: ChargeDetailRecord): Promise<Acknowledgement> {
    const outcome = await take(record);
    if (outcome === 'held') logger.warn('CDR from Hubject accepted and held: it cannot go to the backend yet', { sessionId: record.SessionID });
    else logger.info('CDR received from Hubject', { sessionId: record.SessionID, outcome });
    return acknowledgement('000', undefined, { SessionID: record.SessionID });
  }

  async function reconcile() {
    const state = (await store.objects.get<{ to?: string }>(STATE_MODULE, owner, 'cdr-reconcile'))?.body ?? {};
    const to = context.now();
    const from = new Date(Math.max(to.getTime() - MAX_WINDOW_MS, state.to ? Date.parse(state.to) - OVERLAP_MS : to.getTime() - FIRST_WINDOW_MS));
    const summary = { pulled: 0, stored: 0, held: 0 };
    for await (const record of context.oicp.pages('GetChargeDetailRecords', { ProviderID: context.providerId, From: from.toISOString(), To: to.toISOString() })) {
      summary.pulled++;
      const outcome = await take(record);
      if (outcome === 'stored') summary.stored++;
      if (outcome === 'held') summary.held++;
    }
    // Every CDR of the window is now stored or held: the next run starts where this one ended.
    await store.objects.put(STATE_MODULE, owner, 'cdr-reconcile', { to: to.toISOString() });
    if (summary.stored + summary.held > 0) logger.info('CDRs reconciled with Hubject', summary);
    return summary;
  }

  return { take, receive, reconcile, retryHeld };
}

/** POSTs each stored CDR; the backend answers a repeated POST of the same CDR as the first. */
export function cdrDeliverer(context: EmpContext): Deliverer {
  const owner = ourKey(context);
  return backendDeliverer(context.backend, async (peer, item) => {
    const cdr = (await context.store.objects.get<Cdr>('cdrs', owner, (item.payload as { id: string }).id))?.body;
    return cdr ? peerDelivery(await peer.postCdr(cdr)) : { outcome: 'refused', reason: 'the CDR is no longer stored' };
  });
}

/**
 * What every EMP-side flow shares (issue 8). The bridge stands in front of an eMSP backend as one
 * OCPI CPO: the Hubject network is presented under the bridge's own party (OCPI's party namespace is
 * not the EvseID's operator prefix, ../shared/spec/ocpi.md §3.2), with each location naming its real
 * operator in `operator` and each EVSE keeping its EvseID. Ids of one operator cannot collide with
 * another's: location and tariff ids are qualified by the OperatorID (`DEABC-P123`).
 */
import { createHash } from 'node:crypto';
import { isoOperatorIdOf } from '../../mapping/identifiers';
import type { MappingRules } from '../../mapping/rules';
import type { Logger } from '../../observability/logger';
import type { OicpCaller } from '../../oicp/client';
import type { OcpiPeer } from '../../ocpi/peer';
import { ownerKey, type Store } from '../../store';
import type { OcpiPartyRole } from '../../ocpi/wire/credentials';
import { backendDeliverer, peerDelivery } from '../ocpi-delivery';
import type { Deliverer } from '../outbox-worker';
import type { StaleReporter } from '../freshness';

export interface EmpContext {
  store: Store;
  rules: MappingRules;
  oicp: OicpCaller;
  /** Our OCPI party toward the backend, role CPO: the owner of every location, tariff, session and CDR it sees. */
  us: OcpiPartyRole;
  /** Our ProviderID toward Hubject. */
  providerId: string;
  /** The registered backend as a module client; undefined until registered. */
  backend: () => Promise<OcpiPeer | undefined>;
  logger: Logger;
  /** Reports a push older than what the bridge holds (acknowledged, not applied). */
  stale: StaleReporter;
  now: () => Date;
}

/** The store key of what we own toward the backend. */
export const ourKey = (context: Pick<EmpContext, 'us'>): string => ownerKey(context.us);

const OCPI_ID_MAX = 36;

/**
 * An OICP-derived id made unique across operators: `DEABC-<id>`, hashed when that would exceed OCPI's 36
 * characters. A DIN OperatorID is spelt in its ISO form (`+49*810` -> `DE810`), as its EVSEs' evse_ids are.
 */
export function qualifiedId(operatorId: string, id: string): string {
  const prefix = (isoOperatorIdOf(operatorId) ?? operatorId).replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const qualified = `${prefix}-${id}`;
  if (qualified.length <= OCPI_ID_MAX) return qualified;
  return `${prefix}-${createHash('sha256').update(id).digest('hex').slice(0, OCPI_ID_MAX - prefix.length - 1)}`;
}

/**
 * PUTs each announced object of ours (payload `{ id }`) as it is now. One no longer stored is DELETEd
 * where OCPI has a DELETE for it (tariffs); locations and sessions only ever change.
 */
export function currentStateDeliverer(context: EmpContext, module: 'locations' | 'tariffs' | 'sessions'): Deliverer {
  const owner = ourKey(context);
  return backendDeliverer(context.backend, async (peer, item) => {
    const id = (item.payload as { id: string }).id;
    const current = (await context.store.objects.get(module, owner, id))?.body;
    if (current !== undefined) return peerDelivery(await peer.put(module, context.us, [id], current));
    return module === 'tariffs' ? peerDelivery(await peer.delete(module, context.us, [id])) : { outcome: 'delivered' };
  });
}

/**
 * How an announcement of one of our objects enters the outbox: behind the earlier announcements of
 * its group (a location's data and EVSE statuses; a session and its CDR), replacing one of the same
 * object still waiting.
 */
export const announcing = (group: string, object = group) => ({ order: group, replaces: object });

/** A summary of mapping findings for the log: a pull of thousands of records must not log each. */
export function tally(findings: readonly { kind: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.kind] = (counts[finding.kind] ?? 0) + 1;
  return counts;
}

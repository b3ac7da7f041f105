/**
 * EMP side, sessions (issue 8): Hubject's charging notifications (Start, Progress, End, Error) are
 * summed into the OCPI Session of Hubject's SessionID (notifications are events, the Session their
 * state), stored, and announced in the outbox in one transaction; the deliverer PUTs the session as
 * it is when sent, so the backend ends with the latest state whatever was retried. The EVSE's status
 * is pulled by id after each notification: it has just changed.
 */
import { notificationToOcpiSession } from '../../mapping/session';
import { OicpRefusal, acknowledgement } from '../../oicp/wire/status-codes';
import type { Acknowledgement, ChargingNotification } from '../../oicp/wire/transaction-schemas';
import type { Tariff } from '../../ocpi/wire/schemas';
import type { Session } from '../../ocpi/wire/transaction-schemas';
import { operatorOfEvseId } from '../../mapping/identifiers';
import { tariffIdsOfProduct } from '../../mapping/tariff/products';
import { announcing, ourKey, qualifiedId, type EmpContext } from './context';
import type { EmpNetwork } from './network';
import type { EmpTokens } from './tokens';

export const SESSION_TOPIC = 'ocpi:session';

/**
 * The EVSE's tariff from the pricing pull: the one of the product the session names when the EVSE offers it, else
 * the first it offers; none when Hubject has no pricing for it (the mappers then take the contracted one, if any).
 */
/** The currency of what no tariff prices: Hubject's roaming is in euros unless a tariff says otherwise. */
export const UNPRICED_CURRENCY = 'EUR';

export async function tariffAt(
  context: EmpContext,
  evse: { evse_id?: string; connectors: { tariff_ids?: string[] }[] } | undefined,
  productId: string | undefined,
): Promise<{ tariff?: Tariff; tariffProductId?: string }> {
  const ids = [...new Set(evse?.connectors.flatMap((c) => c.tariff_ids ?? []) ?? [])];
  const operatorId = evse?.evse_id === undefined ? undefined : operatorOfEvseId(evse.evse_id);
  const named =
    productId === undefined || operatorId === undefined ? undefined : tariffIdsOfProduct(context.rules, productId).map((id) => qualifiedId(operatorId, id)).find((id) => ids.includes(id));
  const id = named ?? ids[0];
  const tariff = id === undefined ? undefined : (await context.store.objects.get<Tariff>('tariffs', ourKey(context), id))?.body;
  if (tariff === undefined) return {};
  return named === undefined ? { tariff } : { tariff, tariffProductId: productId };
}

/** Why a mapper refused, in words for an OICP AdditionalInfo. */
export const refusalOf = (findings: readonly { kind: string; path: string; message: string }[]) =>
  findings
    .filter((f) => f.kind === 'invalid')
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ');

export function empSessions(context: EmpContext, network: EmpNetwork, tokens: EmpTokens): (notification: ChargingNotification) => Promise<Acknowledgement> {
  const { store, logger } = context;
  const owner = ourKey(context);
  return async (notification) => {
    const previous = (await store.objects.get<Session>('sessions', owner, notification.SessionID))?.body;
    const place = await network.locationOf(notification.EvseID);
    const mapped = notificationToOcpiSession(notification, {
      rules: context.rules,
      previous,
      location: place?.location,
      tariff: (await tariffAt(context, place?.evse, notification.PartnerProductID)).tariff,
      provider: await tokens.provider(),
      token: await tokens.tokenOf(notification.Identification),
      // A session is not billed: one nothing prices yet still shows, without a cost (its CDR waits for a price).
      unpricedCurrency: UNPRICED_CURRENCY,
      now: context.now(),
    });
    if (!mapped.value) throw new OicpRefusal('022', `the ${notification.Type} notification cannot become an OCPI session: ${refusalOf(mapped.findings)}`);
    const session = { ...mapped.value, country_code: context.us.countryCode, party_id: context.us.partyId };
    await store.transaction(async (tx) => {
      await tx.objects.put('sessions', owner, session.id, session);
      await tx.outbox.enqueue({ topic: SESSION_TOPIC, payload: { id: session.id }, ...announcing(`session:${session.id}`) });
    });
    void network.pullStatuses([notification.EvseID]).catch((err: unknown) => logger.warn('EVSE status pull after a notification failed', { evseId: notification.EvseID, reason: (err as Error).message }));
    return acknowledgement('000', undefined, { SessionID: notification.SessionID });
  };
}

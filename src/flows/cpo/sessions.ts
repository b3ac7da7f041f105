/**
 * CPO side, sessions (issue 7): the backend's Session pushes become Hubject charging notifications
 * for sessions Hubject authorized — Start once, Progress at most every PROGRESS_INTERVAL_MS, End once
 * — through the outbox. Each push is applied to the cached session (a 2.2.1 PATCH appends its
 * charging periods; one older than the cached session is acknowledged and dropped) in the same
 * transaction that announces the notification. A session's notifications and its CDR are delivered
 * one at a time, in order.
 */
import type { Logger } from '../../observability/logger';
import { ocpiSessionToNotification } from '../../mapping/session';
import type { MappingRules } from '../../mapping/rules';
import type { OicpCaller } from '../../oicp/client';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import type { Location } from '../../ocpi/wire/schemas';
import type { Session } from '../../ocpi/wire/transaction-schemas';
import { ownerKey, type Store, type StoreRepositories } from '../../store';
import { isStale, type StaleReporter } from '../freshness';
import { callDeliverer, type Deliverer } from '../outbox-worker';
import { AUTHORIZATION_KIND, NOTIFIED_KIND, matchingAuthorization } from './authorization-index';

export const NOTIFICATION_TOPIC = 'oicp:ChargingNotification';
/** Hubject wants progress, not a stream: at most one Progress per session in this time. */
const PROGRESS_INTERVAL_MS = 60_000;

interface Notified {
  started?: boolean;
  progressAt?: number;
}

interface CpoSessionsOptions {
  store: Store;
  rules: MappingRules;
  operatorId: string;
  logger: Logger;
  stale: StaleReporter;
  now: () => Date;
}

export function cpoSessions(options: CpoSessionsOptions): ObjectReceiver {
  const { store, logger } = options;
  const now = () => options.now().getTime();

  /** Stores the session and announces its notification, in the caller's transaction (which holds the session). */
  async function apply(tx: StoreRepositories, owner: string, session: Session): Promise<void> {
    const key = `${owner}/${session.id}`;
    const seen = await tx.correlations.byOcpi(NOTIFIED_KIND, key);
    const notified = (seen?.attrs ?? {}) as Notified;
    const location = (await tx.objects.get<Location>('locations', owner, session.location_id))?.body;
    // A session once matched keeps its authorization: later pushes of it are not matched again.
    const reference =
      session.authorization_reference ??
      seen?.oicpId ??
      (await matchingAuthorization(tx, {
        tokenNames: [session.cdr_token.uid, session.cdr_token.contract_id],
        evseId: location?.evses?.find((e) => e.uid === session.evse_uid)?.evse_id ?? undefined,
        startedAt: session.start_date_time,
        sessionKey: key,
      }));
    if (session.authorization_reference === undefined && seen === undefined && reference !== undefined) logger.info('session matched to its Hubject authorization by token and EVSE', { session: session.id, sessionId: reference });
    const authorization = reference === undefined ? undefined : await tx.correlations.byOcpi(AUTHORIZATION_KIND, reference);
    const mapped = authorization && ocpiSessionToNotification(session, { rules: options.rules, sessionId: authorization.oicpId, location, started: notified.started === true, operatorId: options.operatorId });
    if (!authorization) logger.info('session not authorized through Hubject: no charging notification', { session: session.id });
    else if (mapped?.value === undefined) logger.warn('session cannot be notified to Hubject', { session: session.id, findings: mapped?.findings });
    // Reported (to the trace, too) like a CDR's, so an operator sees what a notification left out; debug, as Progress pushes are frequent.
    else if (mapped.findings.length > 0) logger.debug('session mapped to a charging notification', { session: session.id, findings: mapped.findings });
    const notification = mapped?.value ?? undefined;
    const throttled = notification?.Type === 'Progress' && notified.progressAt !== undefined && now() - notified.progressAt < PROGRESS_INTERVAL_MS;
    await tx.objects.put('sessions', owner, session.id, session);
    if (!notification || throttled) return;
    // Start and End go once per Hubject session; each Progress is its own. All of one session (and its CDR) go in order.
    const once = notification.Type === 'Start' || notification.Type === 'End' ? { key: `${notification.SessionID}/${notification.Type}` } : {};
    await tx.outbox.enqueue({ topic: NOTIFICATION_TOPIC, payload: notification, order: sessionOrder(notification.SessionID), ...once });
    const state: Notified = { started: true, progressAt: notification.Type === 'Progress' ? now() : notified.progressAt };
    await tx.correlations.put({ kind: NOTIFIED_KIND, ocpiId: key, oicpId: notification.SessionID, attrs: { ...state } });
  }

  /** Runs `change` on the cached session inside a transaction that holds it. */
  const withSession = <T>(ref: ObjectRef, change: (tx: StoreRepositories, cached: Session | undefined) => Promise<T>) =>
    store.transaction(async (tx) => {
      await tx.objects.lock('sessions', ownerKey(ref), ref.ids[0]!);
      return change(tx, (await tx.objects.get<Session>('sessions', ownerKey(ref), ref.ids[0]!))?.body);
    });
  const stale = (ref: ObjectRef, incoming: unknown, held: unknown) => options.stale({ module: 'sessions', ref: `${ownerKey(ref)}/${ref.ids[0]!}`, incoming, held });

  return {
    put: (_level, ref, object) =>
      withSession(ref, async (tx, cached) => {
        if (isStale(object, cached)) return stale(ref, object, cached);
        await apply(tx, ownerKey(ref), object as Session);
      }),
    patch: (_level, ref, changes) =>
      withSession(ref, async (tx, cached) => {
        if (!cached) return false;
        if (isStale(changes, cached)) {
          stale(ref, changes, cached);
          return true;
        }
        // 2.2.1: charging periods in a PATCH are added to the ones known, not a replacement.
        const periods = changes.charging_periods as Session['charging_periods'];
        await apply(tx, ownerKey(ref), { ...cached, ...changes, ...(periods && { charging_periods: [...(cached.charging_periods ?? []), ...periods] }) });
        return true;
      }),
    get: async (_level, ref) => (await store.objects.get<Session>('sessions', ownerKey(ref), ref.ids[0]!))?.body,
  };
}

/** The order key of everything about one Hubject session: its notifications, then its CDR. */
export const sessionOrder = (sessionId: string) => `session:${sessionId}`;

export const notificationDeliverer = (client: OicpCaller): Deliverer => callDeliverer(client, 'ChargingNotification');

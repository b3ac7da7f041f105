/**
 * How long the bridge keeps what it writes, table by table: per-record data goes after its retention
 * (`retention` in the configuration), what mirrors the backend's network or the configuration stays
 * while it exists. Every table the store has is in this list, with its rule or its reason to stay, so
 * nothing grows with the traffic unnoticed. (Delivered outbox items have their own job and settings,
 * `outbox.retention`.)
 */
import type { BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import type { Store } from '../store';
import type { Job } from './ports';
import { AUTHORIZATION_KIND, AUTHORIZATIONS_MODULE } from './cpo/authorization-index';
import { CDR_KIND } from './cpo/cdrs';
import { COMMAND_KIND, RESERVATION_NUMBER_KIND } from './cpo/remote';
import { NOTIFIED_KIND } from './cpo/authorization-index';
import { REMOTE_KIND } from './emp/remote';

type Retention = BridgeConfig['retention'];
const DAY_MS = 86_400_000;

/** A rule: which rows, and after how many days (undefined: kept) they go. */
interface Rule {
  table: 'correlations' | 'ocpi_objects' | 'ocpi_tokens';
  /** The correlation kind or object module; absent for a whole table. */
  part?: string;
  days(retention: Retention): number | undefined;
  /** Why the rows stay or go. */
  why: string;
}

export const RETENTION_RULES: readonly Rule[] = [
  { table: 'correlations', part: AUTHORIZATION_KIND, days: (r) => r.authorizationsDays, why: 'CPO: Hubject SessionID of an authorization, for the session and CDR that follow' },
  { table: 'ocpi_objects', part: AUTHORIZATIONS_MODULE, days: (r) => r.authorizationsDays, why: 'CPO: the authorizations of each token, to match 2.1.1 sessions and CDRs' },
  { table: 'correlations', part: NOTIFIED_KIND, days: (r) => r.sessionsDays, why: 'CPO: what was notified to Hubject for a session' },
  { table: 'correlations', part: COMMAND_KIND, days: (r) => r.sessionsDays, why: 'CPO: a remote command forwarded to the backend' },
  { table: 'correlations', part: RESERVATION_NUMBER_KIND, days: (r) => r.sessionsDays, why: 'CPO: the number a 2.1.1 backend knows a Hubject reservation by' },
  { table: 'correlations', part: REMOTE_KIND, days: (r) => r.sessionsDays, why: 'EMP: a remote command sent to Hubject' },
  { table: 'ocpi_objects', part: 'sessions', days: (r) => r.sessionsDays, why: 'sessions, both roles' },
  { table: 'ocpi_objects', part: 'cdrs', days: (r) => r.cdrsDays || undefined, why: 'CDRs, both roles: a retried POST is answered as the first while kept' },
  { table: 'correlations', part: CDR_KIND, days: (r) => r.cdrsDays || undefined, why: 'CPO: the one CDR of a Hubject session' },
  { table: 'ocpi_tokens', days: () => 1, why: 'inbound OCPI tokens a day after they stopped working (rotation overlap, spent token A)' },
];

/** Kept while they exist: they follow the backend's network, the configuration or the registration, not the traffic. */
export const KEPT = [
  'ocpi_parties: the registered OCPI peers',
  'ocpi_objects locations, tariffs, tokens: the current state of the network and the drivers (a DELETE or a full sync removes them)',
  'ocpi_objects announced:*, emp:*, bridge:*: what was last announced to Hubject, what the pulls remember (LastCall, operators, EVSE tariffs), CDRs held until they can be converted, counters',
  'correlations evse, emp-evse: the EvseID index of the network (follows it)',
  'held_items: what is held back until it can be forwarded (an entry goes when its object is forwarded or gone)',
  'outbox: pending and dead items until delivered, requeued or discarded; delivered ones per outbox.retention',
  'traces: the exchange trace, per trace.retentionHours (the trace retention job)',
  'trace_refs: the ids of the trace events on PostgreSQL, deleted with them',
  'trace_search: the ids of the trace events on SQLite (a full-text index), deleted with them',
  'schema_migrations',
] as const;

export function storeRetentionJob(store: Store, retention: Retention, logger: Logger, now: () => number): Job {
  return {
    name: 'store retention',
    everyMs: retention.everyMinutes * 60_000,
    run: async () => {
      const purged: Record<string, number> = {};
      for (const rule of RETENTION_RULES) {
        const days = rule.days(retention);
        if (days === undefined) continue;
        const before = now() - days * DAY_MS;
        const name = `${rule.table}${rule.part ? ` ${rule.part}` : ''}`;
        if (rule.table === 'correlations') purged[name] = await store.correlations.purgeOlderThan(rule.part!, before);
        else if (rule.table === 'ocpi_objects') purged[name] = await store.objects.deleteUnchangedSince(rule.part!, before);
        else purged[name] = await store.tokens.purgeExpired(before);
      }
      const total = Object.values(purged).reduce((a, b) => a + b, 0);
      if (total > 0) logger.info('records past their retention deleted', { purged: Object.fromEntries(Object.entries(purged).filter(([, n]) => n > 0)) });
      return { purged: total };
    },
  };
}

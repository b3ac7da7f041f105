/**
 * The bridge configuration, defined once: this schema gives the TypeScript type (`BridgeConfig`), the
 * start-up validation (ajv), the defaults, the secret environment overrides (`x-env`) and the generated
 * configuration reference (docs/configuration.md). Change a key here and all four follow.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { OCPI_VERSIONS } from '../ocpi/wire/transport';
import { StringEnum } from '../core/typebox';
import { TENANT_ID_PATTERN } from '../core/tenant';
import { OPERATOR_ID_PATTERN, PROVIDER_ID_PATTERN } from '../oicp/wire/vocabulary';
import { MappingRulesSchema } from '../mapping/rules';
import { OPERATION_NAMES } from '../oicp/wire/operations';
import { DEFAULT_BULK_BODY_LIMIT } from '../oicp/wire/limits';


export const HUBJECT_BASE_URLS = {
  qa: 'https://service-qa.hubject.com',
  prod: 'https://service.hubject.com',
} as const;

/** Marks a key whose value may come from an environment variable (secrets stay out of the file). */
const fromEnv = (name: string) => ({ 'x-env': name });

const FilePath = (description: string) => Type.String({ minLength: 1, description });

const TlsFiles = (what: string, envPrefix: string) =>
  Type.Object(
    {
      cert: FilePath(`PEM certificate (chain) ${what} presents.`),
      key: FilePath(`PEM private key of that certificate. Never logged.`),
      ca: Type.Optional(FilePath('PEM bundle of the certificate authorities trusted for the peer.')),
      passphrase: Type.Optional(
        Type.String({ description: 'Passphrase of an encrypted private key.', ...fromEnv(`${envPrefix}_TLS_PASSPHRASE`) }),
      ),
    },
    { additionalProperties: false },
  );

const Server = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', description: 'Interface to listen on (`0.0.0.0` for all).' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port (0 picks a free one).' }),
    bodyLimit: Type.String({
      pattern: '^[0-9]+(b|kb|mb)$',
      default: '1mb',
      description: 'Largest request body accepted; larger bodies are refused with HTTP 413 before parsing.',
    }),
    shutdownTimeoutMs: Type.Integer({
      minimum: 0,
      default: 10_000,
      description: 'On SIGTERM, how long in-flight requests may run before connections are closed.',
    }),
    tls: Type.Optional(
      Type.Object(
        {
          ...TlsFiles('this server', 'BRIDGE_SERVER').properties,
          requestClientCert: Type.Boolean({
            default: false,
            description: 'Ask callers for a client certificate and refuse those not signed by `ca` (mutual TLS).',
          }),
        },
        {
          additionalProperties: false,
          description: 'Serve HTTPS instead of HTTP. Leave out when a proxy terminates TLS.',
        },
      ),
    ),
  },
  { additionalProperties: false, default: {}, description: 'The HTTP(S) listener.' },
);

const Store = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      default: './data/bridge.sqlite',
      description: 'SQLite database file (embedded store), used when `url` is not set. Its folder is created.',
    }),
    url: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'PostgreSQL connection URL; when set, PostgreSQL is used instead of SQLite (several instances may share it).',
        ...fromEnv('BRIDGE_STORE_URL'),
      }),
    ),
    schema: Type.String({
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      default: 'public',
      description: 'PostgreSQL schema holding the bridge tables (created if missing).',
    }),
    poolSize: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'PostgreSQL connection pool size.' }),
  },
  { additionalProperties: false, default: {}, description: 'Durable state: OCPI credentials, ID correlations, outbox.' },
);

const Retention = Type.Object(
  {
    authorizationsDays: Type.Integer({
      minimum: 1,
      default: 30,
      description:
        'CPO: how long an authorization Hubject gave (real-time or remote start) is kept for the session and CDR that follow. A 2.1.1 CDR arriving later cannot be matched to its Hubject session and is refused with 2001.',
    }),
    sessionsDays: Type.Integer({
      minimum: 1,
      default: 90,
      description: 'Sessions (and what correlates them: notified sessions, remote commands) not updated for this long are deleted.',
    }),
    cdrsDays: Type.Integer({
      minimum: 0,
      default: 90,
      description:
        'Stored CDRs are deleted this long after they were stored (0: kept forever). While kept, a retried POST of one is answered as the first and the backend can read it back; your backend, not the bridge, is the place to archive CDRs for billing.',
    }),
    everyMinutes: Type.Integer({ minimum: 0, default: 60, description: 'How often records past their retention are deleted (0: never).' }),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'How long the bridge keeps per-record data (authorizations, sessions, CDRs and their correlations, expired tokens). What mirrors the network or the configuration (locations, tariffs, tokens, parties) is kept while it exists; delivered outbox items have `outbox.retention`.',
  },
);

const Outbox = Type.Object(
  {
    maxAttempts: Type.Integer({
      minimum: 1,
      default: 12,
      description: 'Delivery attempts before an item moves to the dead-letter list.',
    }),
    baseDelayMs: Type.Integer({ minimum: 1, default: 1_000, description: 'Delay before the second attempt; doubles per attempt.' }),
    maxDelayMs: Type.Integer({ minimum: 1, default: 900_000, description: 'Upper bound of the retry delay.' }),
    jitter: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.2,
      description: 'Random spread of each delay (0.2 = ±20%), so retries after an outage do not arrive all at once.',
    }),
    leaseMs: Type.Integer({
      minimum: 1_000,
      default: 60_000,
      description: 'How long a claimed item stays reserved for its sender; after that a crashed sender’s item is due again. A delivery still running (a bulk push may take minutes) renews it every third of this time, so it is never sent twice meanwhile.',
    }),
    pollMs: Type.Integer({ minimum: 10, default: 1_000, description: 'How often an idle outbox looks for due items: the longest a new item waits before its first attempt.' }),
    concurrency: Type.Integer({
      minimum: 1,
      maximum: 256,
      default: 16,
      description:
        'Deliveries in flight at once per topic (CDRs, statuses, notifications, ...) and instance: 16 CDR calls against a hub 50 ms away make about 300 CDRs/s, and a busy topic cannot hold back the others. Each is settled the moment its answer arrives, while the next call takes its place (at most as many again wait to be settled), so a crash can resend only those; items of one EVSE or one Hubject session still go one at a time, in order. The connections to Hubject are kept alive and reused, as many as the deliveries in flight.',
    }),
    retention: Type.Object(
      {
        deliveredHours: Type.Integer({
          minimum: 1,
          default: 24,
          description: 'Delivered items without a deduplication key (session progress, pushes) are deleted this long after delivery. Delivered state announcements (EVSE statuses, EVSE data, locations) are deleted as soon as they are delivered.',
        }),
        keyedDeliveredDays: Type.Integer({
          minimum: 1,
          default: 90,
          description:
            'Delivered items with a deduplication key (CDRs, session start/end) are kept this long, so a late resend of the same record is still recognised and not sent twice.',
        }),
        everyMinutes: Type.Integer({ minimum: 0, default: 60, description: 'How often delivered items past their retention are deleted (0: never). Dead letters are never deleted.' }),
      },
      { additionalProperties: false, default: {}, description: 'How long delivered outbox items are kept: without it the outbox grows with every session and push (delivered state announcements go at once).' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Delivery policy of the durable outbox (CDRs, session updates, status changes).' },
);

const OcpiVersion = StringEnum(OCPI_VERSIONS);

const Ocpi = Type.Object(
  {
    countryCode: Type.String({ pattern: '^[A-Z]{2}$', description: 'Our ISO 3166-1 alpha-2 country code toward the OCPI backend.' }),
    partyId: Type.String({ pattern: '^[A-Z0-9]{3}$', description: 'Our OCPI party id (3 characters).' }),
    roles: Type.Array(
      StringEnum(['CPO', 'EMSP', 'HUB']),
      {
        minItems: 1,
        uniqueItems: true,
        description:
          'Roles the bridge presents in OCPI 2.2.1 credentials. Usually the counterpart of the backend: EMSP (or HUB) in front of a CPO backend, CPO in front of an eMSP backend.',
      },
    ),
    versions: Type.Array(OcpiVersion, {
      minItems: 1,
      uniqueItems: true,
      default: ['2.2.1', '2.1.1'],
      description: 'OCPI versions offered; the highest one both sides support is used.',
    }),
    businessDetails: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100, description: 'Name shown to the backend in our credentials.' }),
        website: Type.Optional(Type.String({ format: 'uri', description: 'Website shown in our credentials.' })),
      },
      { additionalProperties: false },
    ),
    publicUrl: Type.Optional(
      Type.String({
        format: 'uri',
        pattern: '^https?://[^/]+$',
        description:
          'Where the backend reaches this bridge (scheme, host, port; no path): our versions URL is `<publicUrl>/ocpi/versions`, a tenant\'s `<publicUrl>/tenants/{id}/ocpi/versions` (the prefix is added). Default: the listening address (`server.host`, 127.0.0.1 for 0.0.0.0, and port).',
      }),
    ),
    tokenOverlapSeconds: Type.Integer({
      minimum: 0,
      default: 300,
      description: 'After a credentials update, how long the replaced token keeps working, so requests already sent with it still pass.',
    }),
    backend: Type.Optional(
      Type.Object(
        {
          versionsUrl: Type.String({ format: 'uri', pattern: '^https?://', description: 'The backend’s OCPI versions URL.' }),
          token: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 64,
              pattern: '^[\\x21-\\x7E]+$',
              description: 'Registration token (token A) issued by the backend. Never logged.',
              ...fromEnv('BRIDGE_OCPI_BACKEND_TOKEN'),
            }),
          ),
        },
        { additionalProperties: false, description: 'The OCPI backend this bridge fronts, when the bridge initiates registration.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'The bridge as an OCPI party toward the backend. Required, unless `tenants` lists several parties (each with its own `ocpi`).' },
);

const Oicp = Type.Object(
  {
    role: StringEnum(['CPO', 'EMP'], { description: 'Our OICP role toward Hubject.' }),
    operatorId: Type.Optional(
      Type.String({ pattern: OPERATOR_ID_PATTERN, description: 'OICP OperatorID (e.g. `DE*ABC`); required for role CPO. Sent exactly as written.' }),
    ),
    providerId: Type.Optional(
      Type.String({ pattern: PROVIDER_ID_PATTERN, description: 'OICP ProviderID (e.g. `DE-ABC`); required for role EMP. Sent exactly as written.' }),
    ),
    environment: StringEnum(['qa', 'prod', 'custom'], {
      default: 'qa',
      description: `Hubject environment: qa (${HUBJECT_BASE_URLS.qa}), prod (${HUBJECT_BASE_URLS.prod}) or custom (set \`baseUrl\`).`,
    }),
    baseUrl: Type.Optional(
      Type.String({ format: 'uri', pattern: '^https?://', description: 'Hubject base URL; required with environment custom, refused otherwise.' }),
    ),
    protocol: StringEnum(['rest-2.3', 'soap-2.2', 'soap-2.1', 'soap-2.0'], {
      default: 'rest-2.3',
      description:
        'How this bridge calls Hubject: REST/JSON 2.3, or SOAP/XML in the OICP 2.x release the integration was made for (its namespaces and forms, docs/oicp-soap.md). Its own OICP endpoints answer REST and every SOAP release, each caller in its own.',
    }),
    bulkBodyLimit: Type.String({
      pattern: '^[0-9]+(b|kb|mb|gb)$',
      default: DEFAULT_BULK_BODY_LIMIT,
      description:
        'Largest SOAP body of a bulk operation (EVSE data and statuses, pricing, authentication data, CDR lists), received as a request or read as an answer; read record by record, never held whole. Other bodies keep server.bodyLimit. A fullLoad of 100,000 EVSEs is about 400 MB of 2.x XML.',
    }),
    tls: Type.Optional(
      TlsFiles('this bridge (as a client) toward Hubject', 'BRIDGE_OICP'),
    ),
    fullLoadMinutes: Type.Integer({
      minimum: 0,
      default: 1_440,
      description:
        'Role CPO: how often the bridge pulls the OCPI backend’s whole network (locations and tariffs, every page) and sends Hubject the EVSE data and statuses as fullLoad, repairing whatever a lost push left behind. Role EMP: how often the bridge pulls Hubject’s whole EVSE data (not only the changes), marking EVSEs Hubject no longer lists REMOVED. Also once at start. 0: never.',
    }),
    evseDataPullMinutes: Type.Integer({
      minimum: 0,
      default: 15,
      description: 'Role EMP: how often the changes of Hubject’s EVSE data are pulled (PullEvseData with LastCall) and pushed to the backend as Locations. 0: only the full pulls.',
    }),
    evseStatusPullSeconds: Type.Integer({
      minimum: 0,
      default: 60,
      description: 'Role EMP: how often every EVSE status is pulled (PullEvseStatus); the EVSEs whose status changed are PATCHed to the backend. 0: never.',
    }),
    pricingPullMinutes: Type.Integer({
      minimum: 0,
      default: 60,
      description: 'Role EMP: how often the pricing products and EVSE pricing of the operators in the network are pulled and pushed to the backend as Tariffs and connector tariff_ids. 0: never.',
    }),
    cdrReconcileMinutes: Type.Integer({
      minimum: 0,
      default: 60,
      description: 'Role EMP: how often GetChargeDetailRecords asks Hubject for the CDRs of the last days, so a CDR Hubject could not deliver still reaches the backend (once). 0: never.',
    }),
    pushAuthenticationData: Type.Boolean({
      default: false,
      description: 'Role EMP: offline authorization. The tokens the backend pushes that may be authorized without asking it (valid, whitelist other than NEVER) are sent to Hubject as PushAuthenticationData, so Hubject authorizes them itself.',
    }),
    authorizeTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 9_000,
      default: 5_000,
      description: 'Role EMP: how long an AuthorizeStart from Hubject waits for the backend’s real-time authorization before answering NotAuthorized (Hubject itself waits about 10 s).',
    }),
    timeoutsMs: Type.Object(
      Object.fromEntries(OPERATION_NAMES.map((name) => [name, Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 }))])),
      {
        additionalProperties: false,
        default: {},
        description: 'Per-operation answer timeouts toward Hubject in milliseconds, e.g. `{ PullEvseData: 300000 }`; unset operations keep the built-in ones (10 s for authorizations, 30 s for remote commands, up to 120 s for bulk data).',
      },
    ),
    keepAliveMs: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 4_000,
      description:
        'A connection to Hubject idle longer than this is not used again (keep it below the idle timeout of Hubject or of a proxy in between; 5 s is common). A request that meets a connection closed anyway is sent again: it never arrived.',
    }),
    inbound: Type.Object(
      {
        callerCheck: StringEnum(['client-certificate', 'trusted-network'], {
          default: 'client-certificate',
          description:
            'How calls from Hubject are authenticated. client-certificate: this process terminates TLS (`server.tls` with `requestClientCert`) and refuses callers without a certificate from `server.tls.ca` with OICP 017 (without `server.tls` every call is refused, and a warning says so at start). trusted-network: every call reaching the bridge is trusted; for a proxy in front that terminates mutual TLS and verifies Hubject’s certificate itself, and for the sandbox.',
        }),
        allowedCommonNames: Type.Optional(
          Type.Array(Type.String({ minLength: 1 }), {
            minItems: 1,
            description: 'With client-certificate: only these certificate common names may call (e.g. Hubject’s); any name signed by the CA when unset.',
          }),
        ),
      },
      { additionalProperties: false, default: {}, description: 'OICP calls Hubject makes to the bridge (remote starts for a CPO; authorizations, CDRs, notifications for an EMP).' },
    ),
  },
  { additionalProperties: false, description: 'The bridge as an OICP partner toward Hubject (mutual TLS). Required, unless `tenants` lists several identities (each with its own `oicp`).' },
);

const Trace = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Record the exchange trace: each OCPI request and OICP call the bridge answers or makes, what the mappers made of it (the outbound message and the findings), each delivery attempt with the answer, by correlation id and by the ids operators know (EvseID, location id, session ids, CDR id, token uid, EvcoID). Tokens and keys are redacted. The admin console reads it.',
    }),
    retentionHours: Type.Integer({ minimum: 1, default: 72, description: 'How long trace events are kept.' }),
    flushMs: Type.Integer({
      minimum: 10,
      maximum: 10_000,
      default: 100,
      description: 'Events are written in batches, after the answer; this is the longest one waits in memory (what a crash can lose).',
    }),
    batch: Type.Integer({ minimum: 1, maximum: 10_000, default: 200, description: 'Events written at once as soon as this many wait.' }),
    everyMinutes: Type.Integer({ minimum: 0, default: 60, description: 'How often events past their retention are deleted (0: never).' }),
  },
  { additionalProperties: false, default: {}, description: 'The exchange trace: what every exchange received, sent and got back, for operators.' },
);

const Admin = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', description: 'Interface the admin listener binds to; keep it private (a VPN or an SSH tunnel to reach it).' }),
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description: 'TCP port of the admin API and console (0 picks a free one); no admin listener when unset. Needs `token`.',
      }),
    ),
    token: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        pattern: '^[\\x21-\\x7E]+$',
        description: 'The bearer token every admin request must present (`Authorization: Bearer <token>`). Never logged.',
        ...fromEnv('BRIDGE_ADMIN_TOKEN'),
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The operator console: an HTTP API (OpenAPI at `/admin/openapi.json`) and a web page at `/`, on a listener of its own.',
  },
);

const Log = Type.Object(
  {
    level: StringEnum(['error', 'warn', 'info', 'debug'], {
      default: 'info',
      description: 'Least severe level written.',
    }),
    format: StringEnum(['json', 'text'], {
      default: 'json',
      description: 'json: one JSON object per line (for log shippers); text: readable lines for a terminal.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Logging to standard output. Tokens and keys are redacted.' },
);


/** One tenant's configuration as the flows see it: the shared sections with the tenant's own OCPI party, OICP identity and mapping rules. */
export const ConfigSchema = Type.Object(
  { server: Server, store: Store, outbox: Outbox, retention: Retention, ocpi: Ocpi, oicp: Oicp, mapping: MappingRulesSchema, log: Log, trace: Trace, admin: Admin },
  { additionalProperties: false },
);

export type BridgeConfig = Static<typeof ConfigSchema>;

const Tenant = Type.Object(
  {
    id: Type.String({ pattern: TENANT_ID_PATTERN, description: 'The tenant\'s name: its URL prefix `/tenants/{id}`, its key in the store, the `tenant` label of its metrics and the `--tenant` of the CLI. The tenant `default` is also served without a prefix (a single-tenant deployment\'s data and URLs are that tenant\'s).' }),
    ocpi: Ocpi,
    oicp: Oicp,
    mapping: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'This tenant\'s mapping rules, key by key over the shared `mapping` section (same keys).' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The configuration file: the shared sections, and either one OCPI party and OICP identity (`ocpi`,
 * `oicp`: one tenant, `default`) or several (`tenants`). Each tenant is then validated as a whole
 * `ConfigSchema`, so its problems are named by their path in the file.
 */
export const ConfigFileSchema = Type.Object(
  {
    server: Server,
    store: Store,
    outbox: Outbox,
    retention: Retention,
    ocpi: Type.Optional(Ocpi),
    oicp: Type.Optional(Oicp),
    mapping: MappingRulesSchema,
    tenants: Type.Optional(
      Type.Array(Tenant, {
        minItems: 1,
        description:
          'Several tenants in one deployment (docs/tenants.md), each an OCPI party toward its own backend and an OICP identity toward Hubject with its own certificate, isolated from the others in the store, the routes and delivery. Replaces the top-level `ocpi` and `oicp`. Secrets per tenant from the environment: `BRIDGE_TENANT_<ID>_OCPI_BACKEND_TOKEN`, `BRIDGE_TENANT_<ID>_OICP_TLS_PASSPHRASE` (the id upper-cased, dashes as underscores).',
      }),
    ),
    log: Log,
    trace: Trace,
    admin: Admin,
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;
export type StoreConfig = BridgeConfig['store'];
/** What the store needs of the outbox settings (polling and concurrency are the worker's business, retention the scheduled purge's). */
export type OutboxPolicy = Omit<BridgeConfig['outbox'], 'pollMs' | 'retention' | 'concurrency'>;
export type ServerConfig = BridgeConfig['server'];

/** Who the bridge is toward Hubject: the OperatorID of a CPO, the ProviderID of an EMP (loading refuses a configuration without it). */
export function oicpIdentity(oicp: BridgeConfig['oicp']): string {
  return (oicp.role === 'CPO' ? oicp.operatorId : oicp.providerId) ?? '';
}

/** The kind of party an OICP role is, as the operations table names it. */
export const partyKindOf = (role: BridgeConfig['oicp']['role']): 'operator' | 'provider' => (role === 'CPO' ? 'operator' : 'provider');

/** Every schema node that carries `x-env`, with its dotted path: the environment overrides. */
export function envOverrides(schema: TSchema = ConfigSchema, path: string[] = []): { env: string; path: string[] }[] {
  const here = typeof schema['x-env'] === 'string' ? [{ env: schema['x-env'], path }] : [];
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  return here.concat(Object.entries(props).flatMap(([key, child]) => envOverrides(child, [...path, key])));
}

/**
 * CDRs end to end: the CPO backend POSTs CDRs of sessions Hubject authorized to the bridge (CPO
 * role, a `serve` process of its own, as in a deployment: the backend and the hub simulators stay in
 * this process), which stores each with its outbox item and sends it to the Hubject simulator, 50 ms
 * away; CDRs per second from the first POST until the hub accepted the last, on SQLite and on PostgreSQL.
 * The floor, in the same run: the same ChargeDetailRecord calls made straight to the same hub with as
 * many in flight as the bridge's outbox allows.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { parseConfig } from '../src/config/load';
import { ocpiCdrToOicp } from '../src/mapping/cdr';
import { OicpClient } from '../src/oicp/client';
import type { Cdr } from '../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../test/support/corpus';
import { quietLogger } from '../test/support/oicp-network';
import { CLI, serverProcess } from './processes';
import { PG_TEST_URL } from '../test/support/postgres-url';
import { CARD, BACKEND_OWNER, cpoNetwork, inParallel, registeredPeer, type CpoNetwork, type StoreChoice } from './cpo-network';
import type { BenchOptions, BenchRow } from './table';

const HUB_LATENCY_MS = 50;
/** The bridge's default outbox concurrency per topic, and the floor's calls in flight. */
const IN_FLIGHT = 16;
/** CDRs the backend posts at once. */
const POSTING = 16;

const until = async (check: () => boolean, ms: number, what: string) => {
  for (const started = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 5))) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting until ${what}`);
  }
};

const cdrsAccepted = (network: CpoNetwork) => [...network.hub.state.sessions.values()].filter((s) => s.cdr !== undefined).length;

/**
 * The process's CPU time per CDR since `from`: everything in it (bridge, hub, backend) shares one
 * event loop, so on a loaded machine this, not the wall time, says whether a change made the path cheaper.
 */
const cpuPerCdr = (from: NodeJS.CpuUsage, count: number) => {
  const used = process.cpuUsage(from);
  return `${((used.user + used.system) / 1000 / count).toFixed(2)} ms CPU per CDR`;
};

/** CDRs per second through a bridge on `store` (default: a fresh SQLite file). */
async function throughBridge(store: StoreChoice | undefined, count: number): Promise<number> {
  const network = await cpoNetwork({ store });
  const bridge = await serverProcess(CLI, ['serve', '--config', network.configFile], /"message":"listening".*?"url":"([^"]+)"/, process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean));
  try {
    const peer = await registeredPeer(network);
    await network.backend.backend.pushAll('bridge');
    const references: string[] = [];
    await inParallel(
      Array.from({ length: count }, (_, n) => n),
      8,
      async () => {
        const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
        if (!answer.ok) throw new Error(`authorization refused: ${answer.failure.message}`);
        references.push((answer.value as { authorization_reference: string }).authorization_reference);
      },
    );
    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    const cdrs = references.map((reference, n): Cdr => ({ ...official, id: `CDR-${n}`, ...{ country_code: BACKEND_OWNER.countryCode, party_id: BACKEND_OWNER.partyId }, authorization_reference: reference, cdr_token: { ...official.cdr_token, uid: CARD } }));
    const before = cdrsAccepted(network);
    network.hub.setDelay(HUB_LATENCY_MS);
    const cpu = process.cpuUsage();
    const bridgeCpu = bridge.cpuMs();
    const started = performance.now();
    await inParallel(cdrs, POSTING, async (cdr) => {
      const posted = await peer.postCdr(cdr);
      if (!posted.ok) throw new Error(`CDR ${cdr.id} refused: ${posted.failure.message}`);
    });
    const posted = performance.now();
    const backlog = count - (cdrsAccepted(network) - before);
    await until(() => cdrsAccepted(network) - before >= count, 120_000, `the hub accepted ${count} CDRs`);
    if (process.env.BENCH_VERBOSE) console.log(`  ${store ? 'postgres' : 'sqlite'}: posted in ${(posted - started).toFixed(0)} ms, at the hub after ${(performance.now() - started).toFixed(0)} ms (${backlog} not yet there at the last POST), the bridge ${((bridge.cpuMs() - bridgeCpu) / count).toFixed(2)} ms CPU per CDR, the simulators ${cpuPerCdr(cpu, count)}`);
    return count / ((performance.now() - started) / 1000);
  } finally {
    await bridge.stop();
    await network.close();
  }
}

/** CDRs per second made straight to the hub, `IN_FLIGHT` at a time. */
async function straightToHub(count: number): Promise<number> {
  const network = await cpoNetwork();
  const logger = quietLogger();
  const hubUrl = (network.config.oicp as { baseUrl: string }).baseUrl;
  const client = new OicpClient({ baseUrl: hubUrl, as: 'CPO', partyId: 'BE*BEC', logger });
  try {
    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    const records = [];
    for (let n = 0; n < count; n++) {
      const authorized = await client.call('AuthorizeStart', { OperatorID: 'BE*BEC', EvseID: 'BE*BEC*E041503001', Identification: { RFIDMifareFamilyIdentification: { UID: CARD } } });
      if (!authorized.ok || authorized.value.SessionID === undefined) throw new Error('the hub did not authorize');
      const record = ocpiCdrToOicp({ ...official, id: `CDR-${n}` }, { rules: parseConfig(network.config, 'bench', {}).mapping, correlation: { sessionId: authorized.value.SessionID } }).value;
      if (!record) throw new Error('the example CDR does not map');
      records.push(record);
    }
    network.hub.setDelay(HUB_LATENCY_MS);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await inParallel(records, IN_FLIGHT, async (record) => {
      const sent = await client.call('ChargeDetailRecord', record);
      if (!sent.ok) throw new Error(`the hub refused a CDR: ${sent.error.message}`);
    });
    if (process.env.BENCH_VERBOSE) console.log(`  floor: ${cpuPerCdr(cpu, count)}`);
    return count / ((performance.now() - started) / 1000);
  } finally {
    client.close();
    await network.close();
  }
}

async function withPostgresSchema<T>(work: (store: StoreChoice) => Promise<T>): Promise<T> {
  const schema = `bench_cdr_${randomBytes(4).toString('hex')}`;
  try {
    return await work({ url: PG_TEST_URL, schema });
  } finally {
    const client = new Client({ connectionString: PG_TEST_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

export async function cdrDeliveryBenchmark(opts: BenchOptions): Promise<BenchRow[]> {
  const count = opts.quick ? 300 : 2_000;
  const floor = await straightToHub(count);
  const sqlite = await throughBridge(undefined, count);
  const postgres = await withPostgresSchema((store) => throughBridge(store, count));
  const perSecond = (rate: number) => `${Math.round(rate)} CDRs/s`;
  const floorText = `${perSecond(floor)} straight to the hub, ${IN_FLIGHT} in flight`;
  return [
    {
      path: `CDRs end to end to Hubject ${HUB_LATENCY_MS} ms away, SQLite (${count})`,
      figure: perSecond(sqlite),
      floor: floorText,
      ratio: floor / sqlite,
      target: '>= 150 CDRs/s',
      met: sqlite >= 150,
    },
    {
      path: `CDRs end to end to Hubject ${HUB_LATENCY_MS} ms away, PostgreSQL (${count})`,
      figure: perSecond(postgres),
      floor: `${perSecond(sqlite)} SQLite in this run`,
      ratio: sqlite / postgres,
      target: '>= 150 CDRs/s, <= 1x SQLite',
      met: postgres >= 150 && postgres >= sqlite,
    },
  ];
}

/**
 * `tsx bench/cdr-delivery.ts [--store sqlite|postgres|floor]... [--count N]`: chosen paths only (default
 * all three, 2,000 CDRs), in the order given, for before/after runs of one store; BENCH_VERBOSE=1 adds
 * the CPU per CDR.
 */
if (require.main === module) {
  const { values } = parseArgs({ options: { store: { type: 'string', multiple: true }, count: { type: 'string', default: '2000' } } });
  const count = Number(values.count);
  const runs: Record<string, () => Promise<number>> = {
    floor: () => straightToHub(count),
    sqlite: () => throughBridge(undefined, count),
    postgres: () => withPostgresSchema((store) => throughBridge(store, count)),
  };
  void (async () => {
    for (const name of values.store ?? Object.keys(runs)) {
      const run = runs[name];
      if (!run) throw new Error(`--store takes ${Object.keys(runs).join(', ')}, got ${name}`);
      console.log(`${name}: ${Math.round(await run())} CDRs/s (${count})`);
    }
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

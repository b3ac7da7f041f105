/**
 * Writes `fixtures/oicp/<Operation>/`: each request and answer of every operation as OICP 2.3 JSON
 * and as its OICP 2.2 SOAP envelope, all generated. The JSON comes from the official OpenAPI examples
 * (../shared/schemas/oicp-2.3); where the documents have no example answer, it is the answer the
 * Hubject simulator gives to the official request. The XML is our writer's. `npm run fixtures:oicp` rewrites them; a test
 * fails when the files and this script disagree, and checks both encodings against each other.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import type { Finding } from '../src/core/findings';
import { operatorOfEvseId } from '../src/mapping/identifiers';
import { createLogger } from '../src/observability/logger';
import { OicpClient } from '../src/oicp/client';
import { OPERATIONS, OPERATION_NAMES, operationPath, type OperationName, type RequestOf } from '../src/oicp/wire/operations';
import { soapAnswer, soapRequest } from '../src/oicp/soap/envelope';
import { startServer } from '../src/server';
import { createHubjectSimulator } from '../src/simulator/hubject';
import { apisOf, exampleOf, officialBodies } from '../test/support/oicp-schema';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'oicp');

export interface Fixture {
  operation: OperationName;
  part: 'request' | 'response';
  /** `<part>-<source>`: the official example's schema name, or `simulator` (the answer the Hubject simulator gave). */
  name: string;
  json: unknown;
  xml: string;
  /** Members of the JSON the XML form does not carry (official examples with members their schema lacks). */
  lost: Finding[];
}

/** The official examples of one side of an operation, from the documents of both roles, without repeats. */
function officialExamples(name: OperationName, part: 'request' | 'response'): { source: string; json: unknown }[] {
  const seen = new Set<string>();
  const examples: { source: string; json: unknown }[] = [];
  for (const file of apisOf(OPERATIONS[name]).flatMap((api) => officialBodies(api, operationPath(name, { param: 'partyId' }), part))) {
    const json = exampleOf(file);
    const key = JSON.stringify(json);
    if (json === undefined || seen.has(key)) continue;
    seen.add(key);
    const source = basename(file, '.yaml');
    examples.push({ source: examples.some((e) => e.source === source) ? `${source}-${examples.length + 1}` : source, json });
  }
  return examples;
}

/** Answers the documents do not exemplify, as the simulator gives them for the official requests. */
async function simulatorAnswers(): Promise<Partial<Record<OperationName, unknown>>> {
  const logger = createLogger({ level: 'error', format: 'json' }, new Writable({ write: (_chunk, _encoding, done) => done() }));
  // A fixed clock: the simulator's answers carry the hub's timestamps, and the files must not change per run.
  const hub = createHubjectSimulator({ logger, now: () => new Date('2026-01-01T00:00:00Z') });
  const server = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '10mb', shutdownTimeoutMs: 1_000 });
  const call = async <N extends OperationName>(as: 'CPO' | 'EMP', partyId: string, name: N, body: RequestOf<N>) => {
    const client = new OicpClient({ baseUrl: server.url, as, partyId, logger });
    try {
      const result = await client.call(name, body);
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
      return result.value;
    } finally {
      client.close();
    }
  };
  try {
    const example = officialExamples('PushEvseData', 'request')[0]!.json as RequestOf<'PushEvseData'>;
    // The example pushes an EvseID of DE*XYZ as operator DE*ABC, which the hub refuses (018): push it as its own operator.
    const operatorId = operatorOfEvseId(example.OperatorEvseData.EvseDataRecord[0]!.EvseID)!;
    const evseData = { ...example, OperatorEvseData: { ...example.OperatorEvseData, OperatorID: operatorId } };
    await call('CPO', operatorId, 'PushEvseData', evseData);
    const pull = officialExamples('PullEvseData', 'request')[0]!.json as RequestOf<'PullEvseData'>;
    const products = officialExamples('PushPricingProductData', 'request')[0]!.json as RequestOf<'PushPricingProductData'>;
    await call('CPO', products.PricingProductData.OperatorID, 'PushPricingProductData', products);
    const pullProducts = officialExamples('PullPricingProductData', 'request')[0]!.json as RequestOf<'PullPricingProductData'>;
    return {
      // The official pull's filters exclude the official record (it is neither open 24 hours nor public); pull it by operator.
      PullEvseData: await call('EMP', pull.ProviderID, 'PullEvseData', { ProviderID: pull.ProviderID, GeoCoordinatesResponseFormat: pull.GeoCoordinatesResponseFormat, OperatorIds: [operatorId] }),
      PullPricingProductData: await call('EMP', 'DE-DCB', 'PullPricingProductData', { ...pullProducts, OperatorIDs: [products.PricingProductData.OperatorID] }),
    };
  } finally {
    hub.close();
    await server.close();
  }
}

export async function buildFixtures(): Promise<Fixture[]> {
  const simulated = await simulatorAnswers();
  const fixtures: Fixture[] = [];
  for (const operation of OPERATION_NAMES) {
    for (const part of ['request', 'response'] as const) {
      const examples = officialExamples(operation, part);
      const sources = examples.length > 0 ? examples : [{ source: 'simulator', json: simulated[operation] }];
      for (const { source, json } of sources) {
        if (json === undefined) throw new Error(`${operation} has no ${part} example and the simulator gave none`);
        const xml = part === 'request' ? soapRequest(operation, json, { pretty: true }) : soapAnswer(operation, json, { pretty: true });
        fixtures.push({ operation, part, name: `${part}-${source}`, json, xml: `${xml.value}\n`, lost: xml.findings });
      }
    }
  }
  return fixtures;
}

export const fixtureFile = (fixture: Pick<Fixture, 'operation' | 'name'>, extension: 'json' | 'xml') => join(FIXTURES, fixture.operation, `${fixture.name}.${extension}`);

if (require.main === module) {
  void buildFixtures().then((fixtures) => {
    rmSync(FIXTURES, { recursive: true, force: true });
    for (const fixture of fixtures) {
      mkdirSync(join(FIXTURES, fixture.operation), { recursive: true });
      writeFileSync(fixtureFile(fixture, 'json'), `${JSON.stringify(fixture.json, null, 2)}\n`);
      writeFileSync(fixtureFile(fixture, 'xml'), fixture.xml);
    }
    console.log(`wrote ${fixtures.length * 2} files to ${FIXTURES}`);
  });
}

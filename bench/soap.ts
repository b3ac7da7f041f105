/**
 * The SOAP edge against the libraries the design card chose for it, on the same messages:
 * xmlbuilder2 writing the same element tree, and strong-soap driven by the generated WSDL (its
 * HTTP client replaced by a stub, so no network is timed). Each baseline is measured in this run;
 * a ratio below 1 means ours is faster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { soap, type SoapCallback, type SoapClient } from 'strong-soap';
import { create } from 'xmlbuilder2';
import type { EvseDataPage, PushEvseDataRequest } from '../src/oicp/messages';
import { decodeAnswer, readSoapBody, soapAnswer, soapRequest } from '../src/oicp/soap/envelope';
import { toXml } from '../src/oicp/soap/codec';
import { writeXml } from '../src/oicp/soap/xml';
import { OPERATIONS, type OperationName } from '../src/oicp/operations';
import { FIXTURES } from '../scripts/oicp-fixtures';
import { WSDL_DIR } from '../scripts/oicp-wsdl';
import { strongSoapArgs } from '../test/support/strong-soap';
import { measure, type Comparison } from './measure';

const RECORDS = 200;
const LIMITS = { maxBytes: 64 * 1024 * 1024 };

const json = <T>(path: string): T => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
const official = json<PushEvseDataRequest>('PushEvseData/request-eRoamingPushEvseData.json');
const record = official.OperatorEvseData.EvseDataRecord[0]!;
const push: PushEvseDataRequest = { ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: Array.from({ length: RECORDS }, (_, i) => ({ ...record, EvseID: `DE*XYZ*E${i}` })) } };
const recordedPage = json<EvseDataPage>('PullEvseData/response-recorded.json');
const page: EvseDataPage = { ...recordedPage, content: Array.from({ length: RECORDS }, (_, i) => ({ ...recordedPage.content[0]!, EvseID: `DE*XYZ*E${i}` })), size: RECORDS, numberOfElements: RECORDS };
const pull = json<unknown>('PullEvseData/request-eRoamingPullEVSEData.json');

const ACK = soapAnswer('PushEvseData', { Result: true, StatusCode: { Code: '000' } }).value;
const PAGE = soapAnswer('PullEvseData', page).value;

/** strong-soap from the committed WSDL, answering every call with `answer` instead of sending it. */
async function strongSoap(answer: () => string): Promise<SoapClient> {
  const httpClient = { request: (_url: string, _data: string, callback: (err: null, response: object, body: string) => void) => setImmediate(() => callback(null, { statusCode: 200, headers: {} }, answer())) };
  return new Promise((resolve, reject) => soap.createClient(join(WSDL_DIR, 'evsedata.wsdl'), { httpClient }, (err, client) => (err ? reject(err) : resolve(client))));
}

/** One strong-soap call: its request written, the answer read with the WSDL's types (see test/oicp/wsdl.test.ts on why not its own result). */
function strongSoapCall(client: SoapClient, operation: string, args: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (client[operation] as (args: unknown, callback: SoapCallback) => void)(args, (err, _result, envelope) => {
      if (err) return reject(err);
      const binding = client.wsdl.definitions.bindings.EVSEDataBinding!.operations[operation]!;
      resolve(client.xmlHandler.xmlToJson(null, envelope as string, binding.describe(client.wsdl.definitions).outputEnvelope).Body);
    });
  });
}

/** Our call without the network: the request written, the answer read (what OicpClient does around the HTTP exchange). */
function ourCall(name: OperationName, request: unknown, answer: string): Promise<unknown> {
  soapRequest(name, request);
  const { element, content } = readSoapBody(answer, LIMITS);
  return new Promise((resolve) => setImmediate(() => resolve(decodeAnswer(name, element, content))));
}

export async function soapBenchmarks(): Promise<Comparison[]> {
  const acknowledging = await strongSoap(() => ACK);
  const paging = await strongSoap(() => PAGE);
  const pushArgs = strongSoapArgs(push);
  const tree = { 'EVSEData:eRoamingPushEvseData': toXml(OPERATIONS.PushEvseData.request, push, 'EVSEData').value };
  return [
    await measure(`XML text of a ${RECORDS}-record PushEvseData element tree (baseline: xmlbuilder2)`, {
      baseline: () => Promise.resolve(create({ version: '1.0', encoding: 'UTF-8' }, tree).end()),
      ours: () => Promise.resolve(writeXml(tree)),
    }),
    await measure(`a PushEvseData call, ${RECORDS} records (baseline: strong-soap)`, {
      baseline: () => strongSoapCall(acknowledging, 'eRoamingPushEvseData', pushArgs),
      ours: () => ourCall('PushEvseData', push, ACK),
    }),
    await measure(`a PullEvseData call, ${RECORDS}-record page (baseline: strong-soap)`, {
      baseline: () => strongSoapCall(paging, 'eRoamingPullEvseData', pull),
      ours: () => ourCall('PullEvseData', pull, PAGE),
    }),
  ];
}

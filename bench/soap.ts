/**
 * The SOAP edge against a generic SOAP stack on the same messages: strong-soap driven by the
 * generated WSDL (its HTTP client replaced by a stub, so no network is timed), writing the request
 * and reading the answer with its own parser. The baseline is measured in this run; a ratio below
 * 1 means ours is faster. The bulk codec has its own benchmark (soap-bulk.ts).
 */
import { join } from 'node:path';
import { soap, type SoapCallback, type SoapClient } from 'strong-soap';
import type { EvseDataPage, PullEvseDataRequest, PushEvseDataRequest } from '../src/oicp/wire/messages';
import { OPERATIONS, type OperationName } from '../src/oicp/wire/operations';
import { readSoapAnswer, soapAnswer, soapRequest } from '../src/oicp/soap/envelope';
import { operationName } from '../src/oicp/soap/wsdl';
import { WSDL_DIR } from '../scripts/oicp-wsdl';
import { clientArgs } from '../test/support/soap-clients';
import { bulkPush } from './soap-bulk';
import { measure, type Comparison } from './measure';

const RECORDS = 200;

const push: PushEvseDataRequest = bulkPush(RECORDS);
const page: EvseDataPage = {
  content: push.OperatorEvseData.EvseDataRecord.map((record) => ({ ...record, OperatorID: push.OperatorEvseData.OperatorID, OperatorName: push.OperatorEvseData.OperatorName })),
  number: 0,
  size: RECORDS,
  totalElements: RECORDS,
  totalPages: 1,
  numberOfElements: RECORDS,
  first: true,
  last: true,
  StatusCode: { Code: '000' },
};
const pull: PullEvseDataRequest = { ProviderID: 'DE-DCB', GeoCoordinatesResponseFormat: 'DecimalDegree' };

const ACK = soapAnswer('PushEvseData', { Result: true, StatusCode: { Code: '000' } }).value;
const PAGE = soapAnswer('PullEvseData', page).value;

/** strong-soap from the committed WSDL, answering every call with `answer` instead of sending it. */
async function strongSoap(answer: () => string): Promise<SoapClient> {
  const httpClient = { request: (_url: string, _data: string, callback: (err: null, response: object, body: string) => void) => setImmediate(() => callback(null, { statusCode: 200, headers: {} }, answer())) };
  return new Promise((resolve, reject) => soap.createClient(join(WSDL_DIR, 'evsedata.wsdl'), { httpClient }, (err, client) => (err ? reject(err) : resolve(client))));
}

/** One strong-soap call: its request written, its answer parsed by strong-soap itself. */
function strongSoapCall(client: SoapClient, element: string, args: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (client[operationName({ name: element })] as (args: unknown, callback: SoapCallback) => void)({ [element]: args }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Our call without the network: the request written, the answer read (what OicpClient does around the HTTP exchange). */
function ourCall(name: OperationName, request: unknown, answer: string): Promise<unknown> {
  soapRequest(name, request);
  const read = readSoapAnswer(name, answer);
  return new Promise((resolve) => setImmediate(() => resolve(read)));
}

export async function soapBenchmarks(): Promise<Comparison[]> {
  const acknowledging = await strongSoap(() => ACK);
  const paging = await strongSoap(() => PAGE);
  const pushArgs = clientArgs(OPERATIONS.PushEvseData.request, 'eRoamingPushEvseData', push, 'CPO');
  return [
    await measure(`a PushEvseData call, ${RECORDS} records (baseline: strong-soap)`, {
      baseline: () => strongSoapCall(acknowledging, 'eRoamingPushEvseData', pushArgs),
      ours: () => ourCall('PushEvseData', push, ACK),
    }),
    await measure(`a PullEvseData call, ${RECORDS}-record answer (baseline: strong-soap)`, {
      baseline: () => strongSoapCall(paging, 'eRoamingPullEvseData', pull),
      ours: () => ourCall('PullEvseData', pull, PAGE),
    }),
  ];
}

/**
 * The SOAP endpoints behave like a SOAP 1.1 service at the envelope level: another envelope namespace
 * (SOAP 1.2 or a typo) is a VersionMismatch, a header that must be understood and is not is a
 * MustUnderstand fault, a body element in no or another service's namespace or that is no operation
 * is the Client's fault, and our own failure the Server's. Faults about the Body carry the OICP
 * StatusCode in their detail; faults about the envelope have no detail (SOAP 1.1, 4.4). No fault
 * changes any state.
 */
import express from 'express';
import request from 'supertest';
import { oicpRouter } from '../../src/oicp/router';
import { readSoapAnswer, soapRequest } from '../../src/oicp/soap/envelope';
import { SOAP_ENVELOPE_NS, soapNamespace, soapPath } from '../../src/oicp/wire/soap-services';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { CPO_ID, quietLogger } from '../support/oicp-network';

const SOAP_12 = 'http://www.w3.org/2003/05/soap-envelope';
const push = soapRequest('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }] } }).value;
const body = push.slice(push.indexOf('<EVSEStatus:eRoamingPushEvseStatus>'), push.indexOf('</soapenv:Body>'));
const declarations = `xmlns:EVSEStatus="${soapNamespace('evsestatus')}" xmlns:CommonTypes="${soapNamespace('commontypes')}"`;
const envelope = (content: string, { namespace = SOAP_ENVELOPE_NS, header = '' } = {}) => `<soapenv:Envelope xmlns:soapenv="${namespace}" ${declarations}>${header}<soapenv:Body>${content}</soapenv:Body></soapenv:Envelope>`;

function faultOf(text: string) {
  const read = readSoapAnswer('PushEvseStatus', text);
  if (read.kind !== 'fault') throw new Error(`not a fault: ${text}`);
  return { faultcode: read.fault.faultcode, faultstring: read.fault.faultstring, code: (read.fault.acknowledgement as { StatusCode?: { Code: string } } | undefined)?.StatusCode?.Code };
}

describe('faults at the envelope level', () => {
  const post = async (xml: string | Buffer) => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    const res = await request(sim.app).post(soapPath('evsestatus')).set('content-type', 'text/xml; charset=utf-8').send(xml);
    return { res, sim };
  };

  it.each([
    ['a SOAP 1.2 envelope', envelope(body, { namespace: SOAP_12 }), 'VersionMismatch', undefined],
    ['an envelope namespace with a typo', envelope(body, { namespace: 'http://schemas.xmlsoap.org/soap/envelope' }), 'VersionMismatch', undefined],
    ['a header that must be understood', envelope(body, { header: '<soapenv:Header><t:Transaction xmlns:t="urn:example:tx" soapenv:mustUnderstand="1">5</t:Transaction></soapenv:Header>' }), 'MustUnderstand', undefined],
    ['a body element of a version no release had', envelope(body.replaceAll('EVSEStatus:', 'S:').replace('<S:eRoamingPushEvseStatus>', '<S:eRoamingPushEvseStatus xmlns:S="http://www.hubject.com/b2b/services/evsestatus/v9.9">')), 'Client', '022'],
    ['a body element in a namespace of no OICP service', envelope(body.replaceAll('EVSEStatus:', 'S:').replace('<S:eRoamingPushEvseStatus>', '<S:eRoamingPushEvseStatus xmlns:S="urn:example:status">')), 'Client', '022'],
    ['a body element without namespace', envelope(body.replaceAll('EVSEStatus:', '')), 'Client', '022'],
    ['a body element in another service’s namespace', envelope(body.replaceAll('EVSEStatus:', 'A:').replace('<A:eRoamingPushEvseStatus>', `<A:eRoamingPushEvseStatus xmlns:A="${soapNamespace('authorization')}">`)), 'Client', '022'],
    ['an element that is no operation of the service', envelope('<EVSEStatus:eRoamingPushEvseStatuses/>'), 'Client', '022'],
    ['two body elements', envelope(`${body}${body}`), 'Client', '022'],
    ['an empty body', envelope(''), 'Client', '022'],
    ['a Fault as a request', envelope('<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>x</faultstring></soapenv:Fault>'), 'Client', '022'],
    ['no envelope at all', body, 'Client', '022'],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(envelope(body).replace('DE*ABC*E1', 'DE*ABC*E')), Buffer.from([0xff, 0xfe])]), 'Client', '022'],
  ] as const)('%s: HTTP 500 and a fault, nothing stored', async (_kind, xml, faultcode, code) => {
    const { res, sim } = await post(xml);
    expect([res.status, res.headers['content-type']]).toEqual([500, 'text/xml; charset=utf-8']);
    const fault = faultOf(res.text);
    expect([fault.faultcode, fault.code]).toEqual([`soapenv:${faultcode}`, code]);
    expect(sim.state.evseStatus.size).toBe(0);
    expect(sim.traffic).toEqual([]);
  });

  it('answers a SOAP 1.2 caller without a detail, since its Body was never read', async () => {
    const { res } = await post(envelope(body, { namespace: SOAP_12 }));
    expect(res.text).not.toContain('<detail>');
    expect(faultOf(res.text).faultstring).toContain(SOAP_12);
  });

  it('understands the addressing headers generic stacks add, even when they must be understood', async () => {
    const wcf = '<soapenv:Header><Action soapenv:mustUnderstand="1" xmlns="http://schemas.microsoft.com/ws/2005/05/addressing/none">eRoamingPushEvseStatus</Action></soapenv:Header>';
    const { res, sim } = await post(envelope(body, { header: wcf }));
    expect(res.status).toBe(200);
    expect(sim.state.evseStatus.size).toBe(1);
  });
});

describe('faults of the call', () => {
  const serving = (handler: () => never) => {
    const app = express();
    app.use(oicpRouter({ serves: ['PushEvseStatus'], handlers: { PushEvseStatus: handler }, authorize: () => undefined, bodyLimit: '1mb', logger: quietLogger() }));
    return app;
  };

  it('our own failure is a Server fault with 021, in the caller’s release', async () => {
    const app = serving(() => {
      throw new Error('the store is gone');
    });
    const as20 = soapRequest('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [] } }, { release: '2.0' }).value;
    const res = await request(app).post(soapPath('evsestatus', '2.0')).set('content-type', 'text/xml').send(as20);
    expect([res.status, faultOf(res.text).faultcode, faultOf(res.text).code]).toEqual([500, 'soapenv:Server', '021']);
    expect(res.text).toContain(`xmlns:CommonTypes="${soapNamespace('commontypes', '2.0')}"`);
    expect(res.text).not.toContain('the store is gone');
  });

  it('an operation of the service that is not offered here is a Server fault with 320', async () => {
    const app = express();
    app.use(oicpRouter({ serves: ['PushEvseStatus'], handlers: {}, authorize: () => undefined, bodyLimit: '1mb', logger: quietLogger() }));
    const pull = soapRequest('PullEvseStatus', { ProviderID: 'DE-DCB' }).value;
    const res = await request(app).post(soapPath('evsestatus')).set('content-type', 'text/xml').send(pull);
    expect([res.status, faultOf(res.text).faultcode, faultOf(res.text).code]).toEqual([500, 'soapenv:Server', '320']);
  });
});

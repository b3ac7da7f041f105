/**
 * SOAP 1.1 envelopes for the operation table: the request and answer of each operation in its 2.x
 * form, and faults. A refusal the caller should read as business (HTTP 200 in REST) travels as an
 * eRoamingAcknowledgement with Result false, like Hubject 2.x answered; protocol errors are SOAP
 * Faults (HTTP 500, as SOAP 1.1 demands) carrying the same acknowledgement as detail.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Finding, Mapped } from '../../mapping/findings';
import { OPERATIONS, type OicpOperation, type OicpRole, type OperationName } from '../operations';
import type { OicpRefusal } from '../status-codes';
import { Acknowledgement } from '../transaction-schemas';
import { COMMON_TYPES_PREFIX, fromXml, toXml } from './codec';
import { ACKNOWLEDGEMENT_ELEMENT, SOAP_ENVELOPE_NS, SOAP_SERVICES, soapNamespace, type SoapService } from './services';
import { XmlRefused, parseXml, writeXml, type XmlLimits, type XmlNode, type XmlOut } from './xml';

export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** `pretty`: indented, for documents people read (fixtures); the wire gets the compact form. */
export interface WriteOptions {
  pretty?: boolean;
}

function envelope(service: SoapService, body: Record<string, XmlOut>, options: WriteOptions = {}): string {
  const { prefix } = SOAP_SERVICES[service];
  const root = {
    'soapenv:Envelope': {
      '@xmlns:soapenv': SOAP_ENVELOPE_NS,
      [`@xmlns:${prefix}`]: soapNamespace(service),
      [`@xmlns:${COMMON_TYPES_PREFIX}`]: soapNamespace('commontypes'),
      'soapenv:Header': {},
      'soapenv:Body': body,
    },
  };
  return writeXml(root, options);
}

/** An element of the message: the acknowledgement lives in CommonTypes, everything else in its service. */
function element(service: SoapService, name: string, schema: TSchema, value: unknown): { value: Record<string, XmlOut>; findings: Finding[] } {
  const prefix = name === ACKNOWLEDGEMENT_ELEMENT ? COMMON_TYPES_PREFIX : SOAP_SERVICES[service].prefix;
  const content = toXml(schema, value, prefix);
  return { value: { [`${prefix}:${name}`]: content.value }, findings: content.findings };
}

/** The SOAP form of a request, and what it could not carry (members outside the schema). */
export function soapRequest(name: OperationName, request: unknown, options?: WriteOptions): Mapped<string> {
  const { soap, request: schema }: OicpOperation = OPERATIONS[name];
  const body = element(soap.service, soap.request, schema, request);
  return { value: envelope(soap.service, body.value, options), findings: body.findings };
}

export function soapAnswer(name: OperationName, answer: unknown, options?: WriteOptions): Mapped<string> {
  const { soap, response }: OicpOperation = OPERATIONS[name];
  const body = element(soap.service, soap.response, response, answer);
  return { value: envelope(soap.service, body.value, options), findings: body.findings };
}

/** A refusal: business ones as a negative acknowledgement, protocol ones as a fault (`faultcode` Client for the caller's mistakes). */
export function soapRefusal(name: OperationName | undefined, service: SoapService, refusal: OicpRefusal): { httpStatus: number; xml: string } {
  const detail = element(service, ACKNOWLEDGEMENT_ELEMENT, Acknowledgement, refusal.acknowledgement).value;
  if (refusal.httpStatus < 400) return { httpStatus: 200, xml: envelope(service, detail) };
  const fault = {
    'soapenv:Fault': {
      faultcode: refusal.httpStatus < 500 ? 'soapenv:Client' : 'soapenv:Server',
      faultstring: `${name ?? 'OICP'}: ${refusal.message}`,
      detail,
    },
  };
  return { httpStatus: 500, xml: envelope(service, fault) };
}

/** The one element of a SOAP body, by local name. Refuses what is not a SOAP envelope. */
export function readSoapBody(text: string, limits: XmlLimits): { element: string; content: XmlNode } {
  const document = parseXml(text, limits);
  const envelopeNode = document.Envelope;
  const body = typeof envelopeNode === 'object' && !Array.isArray(envelopeNode) ? envelopeNode.Body : undefined;
  if (body === undefined || typeof body !== 'object' || Array.isArray(body)) throw new XmlRefused('not a SOAP 1.1 envelope with a Body');
  const elements = Object.keys(body).filter((key) => !key.startsWith('@_'));
  if (elements.length !== 1) throw new XmlRefused(`a SOAP Body must hold exactly one element, found ${elements.length}`);
  const name = elements[0]!;
  const content = body[name]!;
  if (Array.isArray(content)) throw new XmlRefused('a SOAP Body must hold exactly one element');
  return { element: name, content };
}

export interface SoapFault {
  faultcode: string;
  faultstring: string;
  /** The acknowledgement in the detail, when the fault carries one. */
  acknowledgement?: unknown;
}

/** A fault's parts; a detail acknowledgement is read with the acknowledgement schema. */
export function readFault(content: XmlNode, caller: OicpRole): SoapFault {
  const node = typeof content === 'object' ? content : {};
  const text = (value: XmlNode | XmlNode[] | undefined) => (typeof value === 'string' ? value : '');
  const detail = node.detail;
  const ackNode = typeof detail === 'object' && !Array.isArray(detail) ? detail[ACKNOWLEDGEMENT_ELEMENT] : undefined;
  return {
    faultcode: text(node.faultcode),
    faultstring: text(node.faultstring),
    acknowledgement: ackNode === undefined ? undefined : fromXml(Acknowledgement, ackNode, { caller }).value,
  };
}

/** The canonical request of an operation from its SOAP body element, with what could not be carried. */
export function decodeRequest(name: OperationName, content: XmlNode): { value: unknown; findings: Finding[] } {
  const operation: OicpOperation = OPERATIONS[name];
  return fromXml(operation.request, content, { caller: operation.caller });
}

/**
 * The canonical answer from a SOAP answer element: the operation's answer, or the acknowledgement
 * any operation may get instead. Undefined when the element is neither.
 */
export function decodeAnswer(name: OperationName, element: string, content: XmlNode): { value: unknown; findings: Finding[] } | undefined {
  const operation: OicpOperation = OPERATIONS[name];
  if (element === operation.soap.response) return fromXml(operation.response, content, { caller: operation.caller });
  if (element === ACKNOWLEDGEMENT_ELEMENT) return fromXml(Acknowledgement, content, { caller: operation.caller });
  return undefined;
}

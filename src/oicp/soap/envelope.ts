/**
 * SOAP 1.1 envelopes for the operation table, in each release's form: the request and answer of
 * every operation, and faults. A refusal the caller should read as business (HTTP 200 in REST)
 * travels as an eRoamingAcknowledgement with Result false, like Hubject 2.x answered; protocol
 * errors are SOAP Faults (HTTP 500, as SOAP 1.1 demands) whose detail carries the acknowledgement
 * with the OICP StatusCode when the fault concerns the Body.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-addressing-must-understand, soap-page-header (src/oicp/errata.ts).
import { Type, type TSchema } from '@sinclair/typebox';
import type { Finding, Mapped } from '../../core/findings';
import { OPERATIONS, OPERATION_NAMES, type OicpOperation, type OicpRole, type OperationName, type SoapVariant } from '../wire/operations';
import type { OicpRefusal } from '../wire/status-codes';
import { Acknowledgement } from '../wire/transaction-schemas';
import { COMMON_TYPES_PREFIX, planOf, type ObjectPlan } from './plan';
import { EnvelopeReader, SoapFaultError, type BodyTarget, type ReadEnvelope, type ReadLimits, type SoapFaultCode } from './reader';
import { ACKNOWLEDGEMENT_ELEMENT, LATEST_RELEASE, SOAP_ENVELOPE_NS, SOAP_SERVICES, releaseOfNamespace, soapNamespace, type SoapRelease, type SoapService } from '../wire/soap-services';
import { ANSWER_SHAPES, PAGE_HEADER, PageHeader } from './shapes';
import { keepClassOf } from './kept-classes';
import { XmlWriter, xmlText } from './writer';

export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** `pretty`: indented, for documents people read (fixtures); `release`: the 2.x release written (default 2.2). */
interface WriteOptions {
  pretty?: boolean;
  release?: SoapRelease;
}

const SoapFault = Type.Object({
  faultcode: Type.String(),
  faultstring: Type.String(),
  faultactor: Type.Optional(Type.String()),
  detail: Type.Optional(Type.Object({ eRoamingAcknowledgement: Type.Optional(Acknowledgement) })),
});

/** The request element written for a request: the variant its members select, in releases that have it. */
export function requestVariant(name: OperationName, request: unknown, release: SoapRelease): { request: string; response: string } {
  const { soap }: OicpOperation = OPERATIONS[name];
  const given = request as Record<string, unknown>;
  const variant = soap.variants?.find((v) => given[v.when] !== undefined && (v.since === undefined || v.since <= release));
  return variant ?? soap;
}

/** The answer element that answers a request element (a variant's own, or the operation's); without one, the variant the answer's members mark. */
function answerElement(name: OperationName, requestElement?: string, answer?: unknown): string {
  const { soap }: OicpOperation = OPERATIONS[name];
  const given = answer as Record<string, unknown> | undefined;
  const variant = requestElement === undefined ? soap.variants?.find((v) => v.answers !== undefined && given?.[v.answers] !== undefined) : soap.variants?.find((v) => v.request.toLowerCase() === requestElement.toLowerCase());
  return variant?.response ?? soap.response;
}

class Envelope {
  readonly writer: XmlWriter;
  private readonly prefix: string;

  constructor(
    private readonly service: SoapService,
    private readonly release: SoapRelease,
    private readonly pretty = false,
  ) {
    this.prefix = SOAP_SERVICES[service].prefix;
    this.writer = new XmlWriter(this.prefix, release, pretty);
  }

  /** The envelope around a body element; `header` is written into the SOAP Header when given. */
  text(body: (writer: XmlWriter) => void, header?: (writer: XmlWriter) => void): string {
    const w = this.writer;
    w.raw('<?xml version="1.0" encoding="UTF-8"?>');
    w.open(
      'soapenv:Envelope',
      0,
      ` xmlns:soapenv="${SOAP_ENVELOPE_NS}" xmlns:${this.prefix}="${soapNamespace(this.service, this.release)}" xmlns:${COMMON_TYPES_PREFIX}="${soapNamespace('commontypes', this.release)}"`,
    );
    if (header) {
      w.open('soapenv:Header', 1);
      header(w);
      w.close('soapenv:Header', 1);
    } else w.open('soapenv:Header', 1, '', true);
    w.open('soapenv:Body', 1);
    body(w);
    w.close('soapenv:Body', 1);
    w.close('soapenv:Envelope', 0);
    return w.take();
  }

  /** A body element of `schema`: the acknowledgement lives in CommonTypes, everything else in the service. */
  element(name: string, schema: TSchema, value: unknown, caller: OicpRole, depth = 2): void {
    const common = name === ACKNOWLEDGEMENT_ELEMENT;
    const plan = planOf(schema, name, this.release, caller, common);
    this.writer.object(plan, value as Record<string, unknown>, `${common ? COMMON_TYPES_PREFIX : this.prefix}:${name}`, depth);
  }
}

/** The SOAP form of a request, and what it could not carry (members outside the schema or the release). */
export function soapRequest(name: OperationName, request: unknown, options: WriteOptions = {}): Mapped<string> {
  const operation: OicpOperation = OPERATIONS[name];
  const release = options.release ?? LATEST_RELEASE;
  const envelope = new Envelope(operation.soap.service, release, options.pretty);
  const element = requestVariant(name, request, release).request;
  const value = envelope.text(() => envelope.element(element, operation.request, request, operation.caller));
  return { value, findings: envelope.writer.findings };
}

/** The SOAP form of an answer, in the release (and for the request element) it answers. */
export function soapAnswer(name: OperationName, answer: unknown, options: WriteOptions & { requestElement?: string } = {}): Mapped<string> {
  const operation: OicpOperation = OPERATIONS[name];
  const release = options.release ?? LATEST_RELEASE;
  const envelope = new Envelope(operation.soap.service, release, options.pretty);
  const element = answerElement(name, options.requestElement, answer);
  const shape = ANSWER_SHAPES[name];
  const shaped = shape?.toXml(answer);
  const page = new XmlWriter(PAGE_HEADER.prefix, release, options.pretty);
  const header =
    shaped &&
    ((w: XmlWriter) => {
      page.object(planOf(PageHeader, PAGE_HEADER.element, release, operation.caller, false), shaped.header, `${PAGE_HEADER.prefix}:${PAGE_HEADER.element}`, 2, ` xmlns:${PAGE_HEADER.prefix}="${PAGE_HEADER.namespace}"`);
      w.raw(page.take());
    });
  const value = envelope.text(() => envelope.element(element, shape?.schema ?? operation.response, shaped?.body ?? answer, operation.caller), header);
  return { value, findings: [...page.findings, ...envelope.writer.findings] };
}

interface FaultOptions {
  faultcode: SoapFaultCode;
  faultstring: string;
  /** The acknowledgement with the OICP StatusCode; only for faults about the Body (SOAP 1.1, 4.4). */
  acknowledgement?: unknown;
  service: SoapService;
  release?: SoapRelease;
  caller?: OicpRole;
}

/** A SOAP 1.1 Fault; the detail holds the acknowledgement when one is given. */
export function soapFault(fault: FaultOptions): string {
  const release = fault.release ?? LATEST_RELEASE;
  const envelope = new Envelope(fault.service, release);
  return envelope.text((w) => {
    w.open('soapenv:Fault', 2);
    w.raw(`<faultcode>soapenv:${fault.faultcode}</faultcode><faultstring>${xmlText(fault.faultstring)}</faultstring>`);
    if (fault.acknowledgement !== undefined) {
      w.open('detail', 3);
      envelope.element(ACKNOWLEDGEMENT_ELEMENT, Acknowledgement, fault.acknowledgement, fault.caller ?? 'CPO', 4);
      w.close('detail', 3);
    }
    w.close('soapenv:Fault', 2);
  });
}

/** A refusal: business ones as a negative acknowledgement, protocol ones as a fault (Client for the caller's mistakes, Server for ours). */
export function soapRefusal(name: OperationName | undefined, service: SoapService, refusal: OicpRefusal, release: SoapRelease = LATEST_RELEASE): { httpStatus: number; xml: string } {
  const caller = name === undefined ? 'CPO' : OPERATIONS[name].caller;
  if (refusal.httpStatus < 400) {
    const envelope = new Envelope(service, release);
    return { httpStatus: 200, xml: envelope.text(() => envelope.element(ACKNOWLEDGEMENT_ELEMENT, Acknowledgement, refusal.acknowledgement, caller)) };
  }
  const faultcode = refusal.httpStatus < 500 ? 'Client' : 'Server';
  return { httpStatus: 500, xml: soapFault({ faultcode, faultstring: `${name ?? 'OICP'}: ${refusal.message}`, acknowledgement: refusal.acknowledgement, service, release, caller }) };
}

/** The operation a body element names within a service: its request element or a variant's (letter case aside). */
function operationOf(service: SoapService, element: string): { name: OperationName; variant?: SoapVariant } | undefined {
  const lower = element.toLowerCase();
  for (const name of OPERATION_NAMES) {
    const { soap }: OicpOperation = OPERATIONS[name];
    if (soap.service !== service) continue;
    if (soap.request.toLowerCase() === lower) return { name };
    const variant = soap.variants?.find((v) => v.request.toLowerCase() === lower);
    if (variant) return { name, variant };
  }
  return undefined;
}

export interface SoapRequest {
  name: OperationName;
  release: SoapRelease;
  /** The request element as the operation table spells it (the answer follows from it). */
  element: string;
  value: unknown;
  findings: Finding[];
}

/**
 * Reads a request posted to a service's endpoint, in pieces: the operation is known as soon as the
 * body element opens (`operation`, for the body limit), the request when the envelope ends. The
 * namespace of the body element names the release; a namespace of no OICP service, of another
 * service, or an element that is no operation of the service is the Client's fault.
 */
export class SoapRequestReader {
  private readonly reader: EnvelopeReader;
  operation?: { name: OperationName; release: SoapRelease; element: string };

  constructor(
    readonly service: SoapService,
    limits: ReadLimits = {},
    onItem?: BodyTarget['onItem'],
  ) {
    this.reader = new EnvelopeReader({ body: (namespace, element) => this.body(namespace, element, onItem), header: (namespace, element) => headerPlan(namespace, element, 'CPO') }, limits);
  }

  private body(namespace: string, element: string, onItem: BodyTarget['onItem']): BodyTarget {
    if (namespace === SOAP_ENVELOPE_NS) throw new SoapFaultError('Client', `a request Body cannot hold a SOAP ${element}`);
    const owner = releaseOfNamespace(namespace);
    if (!owner) throw new SoapFaultError('Client', `${element} is in the namespace "${namespace}", which is no OICP 2.x service's`);
    if (owner.service !== this.service) throw new SoapFaultError('Client', `${element} is in the ${owner.service} namespace; this endpoint serves ${this.service}`);
    const found = operationOf(this.service, element);
    if (!found) throw new SoapFaultError('Client', `${element} is not an operation of the ${this.service} service`);
    const operation: OicpOperation = OPERATIONS[found.name];
    const canonical = found.variant?.request ?? operation.soap.request;
    this.operation = { name: found.name, release: owner.release, element: canonical };
    return { plan: planOf(operation.request, canonical, owner.release, operation.caller, false), onItem };
  }

  write(chunk: string): void {
    this.reader.write(chunk);
  }

  end(): SoapRequest {
    const read = this.reader.end();
    return { ...this.operation!, value: read.value, findings: read.findings };
  }
}

// Its class, its envelope reader's and their tokenizer's outlive every document (kept-classes.ts).
keepClassOf(new SoapRequestReader('evsedata'));

/**
 * Addressing headers SOAP stacks add on their own (WCF sends `Action` with mustUnderstand="1"): the
 * body element names the operation, so they are understood and need nothing done.
 */
const ADDRESSING = new Set(['http://www.w3.org/2005/08/addressing', 'http://schemas.xmlsoap.org/ws/2004/08/addressing', 'http://schemas.microsoft.com/ws/2005/05/addressing/none']);

function headerPlan(namespace: string, element: string, caller: OicpRole): ObjectPlan | 'understood' | undefined {
  if (ADDRESSING.has(namespace)) return 'understood';
  return namespace === PAGE_HEADER.namespace && element === PAGE_HEADER.element ? planOf(PageHeader, PAGE_HEADER.element, LATEST_RELEASE, caller, false) : undefined;
}

interface SoapFaultAnswer {
  faultcode: string;
  faultstring: string;
  /** The acknowledgement in the detail, when the fault carries one. */
  acknowledgement?: unknown;
}

export type SoapAnswer = { kind: 'answer'; element: string; release: SoapRelease; value: unknown; findings: Finding[] } | { kind: 'fault'; fault: SoapFaultAnswer };

/**
 * Reads the answer to a call in pieces: the operation's answer element for the request element
 * sent, or the acknowledgement any operation may get instead, or a Fault. Another element is the
 * other side's mistake (a SoapFaultError the client reports as an invalid answer).
 */
export class SoapAnswerReader {
  private readonly reader: EnvelopeReader;
  /** The answer elements accepted: the one answering the request element sent, or any of the operation's. */
  private readonly expected: string[];

  constructor(
    private readonly name: OperationName,
    requestElement?: string,
    limits: ReadLimits = {},
    onItem?: BodyTarget['onItem'],
  ) {
    const { soap }: OicpOperation = OPERATIONS[name];
    this.expected = requestElement !== undefined ? [answerElement(name, requestElement)] : [...new Set([soap.response, ...(soap.variants ?? []).map((v) => v.response)])];
    const caller = OPERATIONS[name].caller;
    this.reader = new EnvelopeReader({ body: (namespace, element) => this.body(namespace, element, onItem), header: (namespace, element) => headerPlan(namespace, element, caller) }, limits);
  }

  private body(namespace: string, element: string, onItem: BodyTarget['onItem']): BodyTarget {
    const operation: OicpOperation = OPERATIONS[this.name];
    const release = releaseOfNamespace(namespace)?.release ?? LATEST_RELEASE;
    if (element === 'Fault' && namespace === SOAP_ENVELOPE_NS) return { plan: planOf(SoapFault, 'Fault', release, operation.caller, false) };
    if (element === ACKNOWLEDGEMENT_ELEMENT) return { plan: planOf(Acknowledgement, ACKNOWLEDGEMENT_ELEMENT, release, operation.caller, true) };
    const expected = this.expected.find((e) => e.toLowerCase() === element.toLowerCase());
    if (expected === undefined) throw new SoapFaultError('Server', `${this.name} answered with ${element}, expected ${this.expected.join(' or ')}`);
    return { plan: planOf(ANSWER_SHAPES[this.name]?.schema ?? operation.response, expected, release, operation.caller, false), onItem };
  }

  write(chunk: string): void {
    this.reader.write(chunk);
  }

  end(): SoapAnswer {
    return interpretAnswer(this.name, this.reader.end());
  }
}

function interpretAnswer(name: OperationName, read: ReadEnvelope): SoapAnswer {
  if (read.element === 'Fault' && read.namespace === SOAP_ENVELOPE_NS) {
    const fault = read.value as { faultcode?: string; faultstring?: string; detail?: { eRoamingAcknowledgement?: unknown } };
    return { kind: 'fault', fault: { faultcode: fault.faultcode ?? '', faultstring: fault.faultstring ?? '', acknowledgement: fault.detail?.eRoamingAcknowledgement } };
  }
  const release = releaseOfNamespace(read.namespace)?.release ?? LATEST_RELEASE;
  const shape = read.element === ACKNOWLEDGEMENT_ELEMENT ? undefined : ANSWER_SHAPES[name];
  if (!shape) return { kind: 'answer', element: read.element, release, value: read.value, findings: read.findings };
  const shaped = shape.fromXml(read.value, read.headers[PAGE_HEADER.element] as never);
  return { kind: 'answer', element: read.element, release, value: shaped.value, findings: [...read.findings, ...shaped.findings] };
}

/** A whole request envelope (tests, fixtures): the same reader, fed at once. */
export function readSoapRequest(service: SoapService, text: string, limits?: ReadLimits): SoapRequest {
  const reader = new SoapRequestReader(service, limits);
  reader.write(text);
  return reader.end();
}

/** A whole answer envelope to `name` sent as `requestElement` (without one: any answer element of the operation). */
export function readSoapAnswer(name: OperationName, text: string, requestElement?: string, limits?: ReadLimits): SoapAnswer {
  const reader = new SoapAnswerReader(name, requestElement, limits);
  reader.write(text);
  return reader.end();
}

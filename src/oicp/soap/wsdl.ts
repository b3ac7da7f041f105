/**
 * The WSDL 1.1 and XSD documents of the SOAP edge for OICP 2.2, derived from what the edge actually
 * does: the operation table gives the services, operations and body elements, and the plans the
 * writer writes by (TypeBox schemas, the codec's tables and the 2.2 dialect) give the content. One
 * source, so a peer's WSDL tooling reads exactly the messages the codec writes. The generated set
 * is committed in `src/oicp/soap/wsdl/` (`npm run wsdl:oicp`) and served by the SOAP endpoints
 * (`GET <service path>?wsdl`). For 2.0, Hubject's own set applies (fixtures/oicp-2x/official).
 *
 * Operations are named without the `eRoaming` of their request element: a generic client such as
 * strong-soap takes an operation named like its input element for the "document/literal wrapped"
 * convention and then looks for the answer inside the answer element, where OICP has none.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-wsdl-operation-names (src/oicp/errata.ts).
import type { TSchema } from '@sinclair/typebox';
import { OPERATIONS, OPERATION_NAMES, type OicpOperation } from '../wire/operations';
import { Acknowledgement } from '../wire/transaction-schemas';
import { COMMON_TYPES_PREFIX, COMMON_TYPE_ELEMENTS, planOf, type MemberPlan, type ObjectPlan, type SchemaShape } from './plan';
import { ANSWER_SHAPES } from './shapes';
import { writeXml, type XmlOut } from './xml';
import { ACKNOWLEDGEMENT_ELEMENT, LATEST_RELEASE, SOAP_SERVICES, soapNamespace, soapPath, type SoapService } from '../wire/soap-services';

const XS = 'http://www.w3.org/2001/XMLSchema';
const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
const SOAP_HTTP = 'http://schemas.xmlsoap.org/soap/http';

/** Where the WSDL says the service is until it is served: the `?wsdl` answer names the real address. */
export const PLACEHOLDER_BASE_URL = 'https://oicp.example';

type Shape = SchemaShape;

type Xml = Record<string, XmlOut>;

const xsdFile = (service: SoapService) => `${service}.xsd`;
const wsdlFile = (service: SoapService) => `${service}.wsdl`;
const commonTypeName = (element: string) => `${element}Type`;

/**
 * ECMAScript patterns of the schemas as XSD patterns: XSD anchors every pattern and has no
 * non-capturing groups, so the anchors go and `(?:` becomes `(`. The schemas use nothing else
 * that differs (checked by validating every fixture with libxml2).
 */
export function xsdPattern(pattern: string): string {
  return pattern
    .replace(/\(\?:/g, '(')
    .replace(/(^|[|(])\^/g, '$1')
    .replace(/\$(?=$|[|)])/g, '');
}

const BASE_TYPES: Readonly<Record<string, string>> = { string: 'xs:string', number: 'xs:decimal', integer: 'xs:integer', boolean: 'xs:boolean' };

function baseType(shape: Shape): string {
  if (shape.format === 'date-time') return 'xs:dateTime';
  const base = BASE_TYPES[shape.type ?? ''];
  if (base === undefined) throw new Error(`no XSD type for a schema of type ${String(shape.type)}`);
  return base;
}

/** A scalar's type: a built-in type as `@type`, or an inline restriction carrying the schema's facets. */
function simpleType(shape: Shape): Xml {
  const facets: Xml = {};
  if (shape.enum) facets['xs:enumeration'] = shape.enum.map((value) => ({ '@value': value }));
  if (shape.pattern !== undefined) facets['xs:pattern'] = { '@value': xsdPattern(shape.pattern) };
  if (shape.minLength !== undefined) facets['xs:minLength'] = { '@value': String(shape.minLength) };
  if (shape.maxLength !== undefined) facets['xs:maxLength'] = { '@value': String(shape.maxLength) };
  if (shape.minimum !== undefined) facets['xs:minInclusive'] = { '@value': String(shape.minimum) };
  if (shape.maximum !== undefined) facets['xs:maxInclusive'] = { '@value': String(shape.maximum) };
  const base = shape.enum ? 'xs:string' : baseType(shape);
  return Object.keys(facets).length === 0 ? { '@type': base } : { 'xs:simpleType': { 'xs:restriction': { '@base': base, ...facets } } };
}

/** The types one schema document defines; a service document also collects the CommonTypes it refers to. */
/** What a plan declares: the elements and attributes of its members, by name and kind. */
function signature(plan: ObjectPlan): string {
  return plan.written.map((m) => `${m.xml}${m.list ? '*' : ''}${m.attribute ? '@' : ''}`).join(',');
}

class TypeWriter {
  readonly commonTypes = new Map<string, ObjectPlan>();

  /** The content model of an element: its members in the order the writer writes them, then its attributes. */
  complexType(plan: ObjectPlan | undefined): Xml {
    if (!plan) return { '@mixed': 'true', 'xs:sequence': { 'xs:any': { '@minOccurs': '0', '@maxOccurs': 'unbounded', '@processContents': 'skip' } } };
    const attributes = plan.written.filter((m) => m.attribute).map((m) => ({ '@name': m.xml, '@use': m.required ? 'required' : 'optional', ...simpleType(m.schema as Shape) }));
    const text = plan.written.find((m) => m.text);
    // Text with attributes (InfoText) extends its built-in type: XSD allows no facets there.
    if (text) return { 'xs:simpleContent': { 'xs:extension': { '@base': baseType(text.schema as Shape), 'xs:attribute': attributes } } };
    const sequence = plan.written.filter((m) => !m.attribute).flatMap((m) => this.elements(m));
    return { 'xs:sequence': sequence.length > 0 ? { 'xs:element': sequence } : {}, ...(attributes.length > 0 ? { 'xs:attribute': attributes } : {}) };
  }

  /** A member's element declarations: one, or two for a name in two languages. */
  private elements(member: MemberPlan): Xml[] {
    const form = member.form;
    if (form?.kind === 'languages') return [form.local, form.english].map((name) => ({ '@name': name, '@minOccurs': '0', '@type': 'xs:string' }));
    const optional: Xml = member.required ? {} : { '@minOccurs': '0' };
    if (!member.list) return [{ '@name': member.xml, ...optional, ...this.content(member, member.schema) }];
    const shape = member.schema as Shape;
    const occurs = { '@minOccurs': String(member.required ? (shape.minItems ?? 0) : 0), '@maxOccurs': shape.maxItems === undefined ? 'unbounded' : String(shape.maxItems) };
    const item = this.content(member, shape.items!);
    if (member.wrapper === undefined) return [{ '@name': member.xml, ...occurs, ...item }];
    // The writer writes a wrapper even for an empty list.
    return [{ '@name': member.xml, ...optional, 'xs:complexType': { 'xs:sequence': { 'xs:element': { '@name': member.wrapper, ...occurs, '@minOccurs': '0', ...item } } } }];
  }

  private content(member: MemberPlan, schema: TSchema): Xml {
    const child = member.child;
    const element = member.wrapper ?? member.key;
    if (child && COMMON_TYPE_ELEMENTS.has(element)) {
      const known = this.commonTypes.get(element);
      if (known !== undefined && signature(known) !== signature(child)) throw new Error(`the common type ${element} has two different plans`);
      this.commonTypes.set(element, child);
      return { '@type': `${COMMON_TYPES_PREFIX}:${commonTypeName(element)}` };
    }
    if (child || member.open) return { 'xs:complexType': this.complexType(child) };
    return simpleType(schema as Shape);
  }
}

function document(root: Xml): string {
  return `${writeXml(root, { pretty: true })}\n`;
}

function schemaDocument(service: SoapService, body: Xml): string {
  return document({
    'xs:schema': {
      '@xmlns:xs': XS,
      [`@xmlns:${COMMON_TYPES_PREFIX}`]: soapNamespace('commontypes'),
      ...(service === 'commontypes' ? {} : { [`@xmlns:${SOAP_SERVICES[service].prefix}`]: soapNamespace(service) }),
      '@targetNamespace': soapNamespace(service),
      '@elementFormDefault': 'qualified',
      ...(service === 'commontypes' ? {} : { 'xs:import': { '@namespace': soapNamespace('commontypes'), '@schemaLocation': xsdFile('commontypes') } }),
      ...body,
    },
  });
}

interface ServiceOperation {
  /** The WSDL operation: the request element, its SOAPAction and input message. */
  name: string;
  response: string;
}

/** A service's operations: each request element (variants included) with its answer element, and the plan of every element. */
function serviceOperations(service: SoapService): { operations: ServiceOperation[]; elements: Map<string, ObjectPlan> } {
  const operations: ServiceOperation[] = [];
  const elements = new Map<string, ObjectPlan>();
  for (const name of OPERATION_NAMES) {
    const operation: OicpOperation = OPERATIONS[name];
    if (operation.soap.service !== service) continue;
    const answerSchema = ANSWER_SHAPES[name]?.schema ?? operation.response;
    for (const { request, response } of [operation.soap, ...(operation.soap.variants ?? [])]) {
      operations.push({ name: request, response });
      elements.set(request, planOf(operation.request, request, LATEST_RELEASE, operation.caller, false));
      if (response !== ACKNOWLEDGEMENT_ELEMENT) elements.set(response, planOf(answerSchema, response, LATEST_RELEASE, operation.caller, false));
    }
  }
  return { operations, elements };
}

/** The WSDL name of an operation: its request element without `eRoaming` (see above why not the element's name). */
export const operationName = (operation: { name: string }) => operation.name.replace(/^eRoaming/, '');

function wsdlDocument(service: SoapService, operations: ServiceOperation[]): string {
  const { prefix } = SOAP_SERVICES[service];
  const qualified = (element: string) => (element === ACKNOWLEDGEMENT_ELEMENT ? `${COMMON_TYPES_PREFIX}:${element}` : `${prefix}:${element}`);
  return document({
    'wsdl:definitions': {
      '@xmlns:wsdl': WSDL,
      '@xmlns:soap': WSDL_SOAP,
      '@xmlns:xs': XS,
      [`@xmlns:${prefix}`]: soapNamespace(service),
      [`@xmlns:${COMMON_TYPES_PREFIX}`]: soapNamespace('commontypes'),
      '@name': `${prefix}Service`,
      '@targetNamespace': soapNamespace(service),
      'wsdl:types': { 'xs:schema': { 'xs:import': [{ '@namespace': soapNamespace(service), '@schemaLocation': xsdFile(service) }] } },
      'wsdl:message': operations.flatMap((operation) => [
        { '@name': `${operation.name}Input`, 'wsdl:part': { '@name': operation.name, '@element': qualified(operation.name) } },
        { '@name': `${operation.name}Output`, 'wsdl:part': { '@name': operation.response, '@element': qualified(operation.response) } },
      ]),
      'wsdl:portType': {
        '@name': `${prefix}PortType`,
        'wsdl:operation': operations.map((operation) => ({ '@name': operationName(operation), 'wsdl:input': { '@message': `${prefix}:${operation.name}Input` }, 'wsdl:output': { '@message': `${prefix}:${operation.name}Output` } })),
      },
      'wsdl:binding': {
        '@name': `${prefix}Binding`,
        '@type': `${prefix}:${prefix}PortType`,
        'soap:binding': { '@style': 'document', '@transport': SOAP_HTTP },
        'wsdl:operation': operations.map((operation) => ({
          '@name': operationName(operation),
          'soap:operation': { '@soapAction': operation.name, '@style': 'document' },
          'wsdl:input': { 'soap:body': { '@use': 'literal' } },
          'wsdl:output': { 'soap:body': { '@use': 'literal' } },
        })),
      },
      'wsdl:service': {
        '@name': `${prefix}Service`,
        'wsdl:port': { '@name': `${prefix}Port`, '@binding': `${prefix}:${prefix}Binding`, 'soap:address': { '@location': `${PLACEHOLDER_BASE_URL}${soapPath(service)}` } },
      },
    },
  });
}

/** Every document of the set by file name: one XSD and one WSDL per service, and the CommonTypes XSD they import. */
export function soapDefinitions(): Map<string, string> {
  const files = new Map<string, string>();
  const common = new TypeWriter();
  const services = [...new Set(OPERATION_NAMES.map((name) => (OPERATIONS[name] as OicpOperation).soap.service))];
  for (const service of services) {
    const { operations, elements } = serviceOperations(service);
    const writer = new TypeWriter();
    const declarations = [...elements].map(([name, plan]) => ({ '@name': name, 'xs:complexType': writer.complexType(plan) }));
    for (const [name, plan] of writer.commonTypes) common.commonTypes.set(name, plan);
    files.set(xsdFile(service), schemaDocument(service, { 'xs:element': declarations }));
    files.set(wsdlFile(service), wsdlDocument(service, operations));
  }
  const acknowledgement = { '@name': ACKNOWLEDGEMENT_ELEMENT, 'xs:complexType': common.complexType(planOf(Acknowledgement, ACKNOWLEDGEMENT_ELEMENT, LATEST_RELEASE, 'CPO', true)) };
  // Common types may nest common types (the acknowledgement's StatusCode): resolve until nothing new appears.
  const named = new Map<string, Xml>();
  for (let pending = [...common.commonTypes.keys()]; pending.length > 0; pending = [...common.commonTypes.keys()].filter((name) => !named.has(name))) {
    for (const name of pending) named.set(name, { '@name': commonTypeName(name), ...common.complexType(common.commonTypes.get(name)) });
  }
  const types = [...named].sort(([a], [b]) => a.localeCompare(b)).map(([, type]) => type);
  files.set(xsdFile('commontypes'), schemaDocument('commontypes', { 'xs:element': acknowledgement, 'xs:complexType': types }));
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** A service's WSDL naming `baseUrl` as where the service is. */
export function servedWsdl(definitions: ReadonlyMap<string, string>, service: SoapService, baseUrl: string): string {
  const wsdl = definitions.get(wsdlFile(service));
  if (wsdl === undefined) throw new Error(`no WSDL for the ${service} service`);
  return wsdl.replace(`${PLACEHOLDER_BASE_URL}${soapPath(service)}`, `${baseUrl}${soapPath(service)}`);
}

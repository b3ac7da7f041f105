/**
 * The WSDL 1.1 and XSD documents of the SOAP edge, derived from what the edge actually does: the
 * operation table gives the services, operations and body elements, the TypeBox schemas give the
 * content, and the codec's tables (attributes, wrapped lists, CommonTypes) give the XML form. One
 * source, so a peer's WSDL tooling reads exactly the messages the codec writes. The generated set
 * is committed in `src/oicp/soap/wsdl/` (`npm run wsdl:oicp`) and served by the SOAP endpoints
 * (`GET <service path>?wsdl`).
 */
import type { TSchema } from '@sinclair/typebox';
import { OPERATIONS, OPERATION_NAMES, type OicpOperation } from '../operations';
import { Acknowledgement } from '../transaction-schemas';
import { ATTRIBUTES, COMMON_TYPES_PREFIX, COMMON_TYPE_ELEMENTS, TEXT, WRAPPED_LISTS } from './codec';
import { writeXml, type XmlOut } from './xml';
import { ACKNOWLEDGEMENT_ELEMENT, SOAP_SERVICES, soapNamespace, soapPath, type SoapService } from './services';

const XS = 'http://www.w3.org/2001/XMLSchema';
const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
const SOAP_HTTP = 'http://schemas.xmlsoap.org/soap/http';

/** Where the WSDL says the service is until it is served: the `?wsdl` answer names the real address. */
export const PLACEHOLDER_BASE_URL = 'https://oicp.example';

interface Shape {
  type?: string;
  properties?: Partial<Record<string, TSchema>>;
  required?: string[];
  items?: TSchema;
  enum?: string[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

type Xml = Record<string, XmlOut | XmlOut[]>;

export const xsdFile = (service: SoapService) => `${service}.xsd`;
export const wsdlFile = (service: SoapService) => `${service}.wsdl`;
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
class TypeWriter {
  readonly commonTypes = new Map<string, TSchema>();

  /** The content model of an object: its elements in schema order (the codec writes that order), then its attributes. */
  complexType(schema: TSchema): Xml {
    const shape = schema as Shape;
    if (shape.type !== 'object' || !shape.properties) return { '@mixed': 'true', 'xs:sequence': { 'xs:any': { '@minOccurs': '0', '@maxOccurs': 'unbounded', '@processContents': 'skip' } } };
    const required = new Set(shape.required ?? []);
    const entries = Object.entries(shape.properties).filter((entry): entry is [string, TSchema] => entry[1] !== undefined);
    const attributes = entries.filter(([key]) => ATTRIBUTES.has(key)).map(([key, property]) => ({ '@name': key, '@use': required.has(key) ? 'required' : 'optional', ...simpleType(property as Shape) }));
    const elements = entries.filter(([key]) => !ATTRIBUTES.has(key));
    const text = elements.length === 1 && elements[0]![0] === TEXT ? (elements[0]![1] as Shape) : undefined;
    // Text with attributes (InfoText) extends its built-in type: XSD allows no facets there.
    if (text) return { 'xs:simpleContent': { 'xs:extension': { '@base': baseType(text), 'xs:attribute': attributes } } };
    const sequence = elements.map(([key, property]) => this.element(key, property, required.has(key)));
    return { 'xs:sequence': sequence.length > 0 ? { 'xs:element': sequence } : {}, ...(attributes.length > 0 ? { 'xs:attribute': attributes } : {}) };
  }

  /** One member as an element declaration: repeated or wrapped when a list, a CommonTypes type reference when a common type. */
  element(name: string, schema: TSchema, required: boolean): Xml {
    const shape = schema as Shape;
    // minOccurs 1 is XSD's default: only the optional side is written.
    const optional: Xml = required ? {} : { '@minOccurs': '0' };
    if (shape.type === 'array' && shape.items) {
      const occurs = { '@minOccurs': String(required ? (shape.minItems ?? 0) : 0), '@maxOccurs': shape.maxItems === undefined ? 'unbounded' : String(shape.maxItems) };
      const wrapper = WRAPPED_LISTS[name];
      if (wrapper === undefined) return { '@name': name, ...occurs, ...this.content(name, shape.items) };
      return { '@name': name, ...optional, 'xs:complexType': { 'xs:sequence': { 'xs:element': { '@name': wrapper, ...occurs, ...this.content(name, shape.items) } } } };
    }
    return { '@name': name, ...optional, ...this.content(name, schema) };
  }

  private content(name: string, schema: TSchema): Xml {
    const shape = schema as Shape;
    if (COMMON_TYPE_ELEMENTS.has(name)) {
      const known = this.commonTypes.get(name);
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`the common type ${name} has two different schemas`);
      this.commonTypes.set(name, schema);
      return { '@type': `${COMMON_TYPES_PREFIX}:${commonTypeName(name)}` };
    }
    if (shape.type === 'object' || shape.type === undefined) return { 'xs:complexType': this.complexType(schema) };
    return simpleType(shape);
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

/** A service's operations: each request element (2.x aliases included) with its answer element. */
function serviceOperations(service: SoapService): { operations: ServiceOperation[]; elements: Map<string, TSchema> } {
  const operations: ServiceOperation[] = [];
  const elements = new Map<string, TSchema>();
  for (const name of OPERATION_NAMES) {
    const operation: OicpOperation = OPERATIONS[name];
    if (operation.soap.service !== service) continue;
    for (const request of [operation.soap.request, ...(operation.soap.requestAliases ?? [])]) {
      operations.push({ name: request, response: operation.soap.response });
      elements.set(request, operation.request);
    }
    if (operation.soap.response !== ACKNOWLEDGEMENT_ELEMENT) elements.set(operation.soap.response, operation.response);
  }
  return { operations, elements };
}

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
        { '@name': `${operation.name}Input`, 'wsdl:part': { '@name': 'parameters', '@element': qualified(operation.name) } },
        { '@name': `${operation.name}Output`, 'wsdl:part': { '@name': 'parameters', '@element': qualified(operation.response) } },
      ]),
      'wsdl:portType': {
        '@name': `${prefix}PortType`,
        'wsdl:operation': operations.map((operation) => ({ '@name': operation.name, 'wsdl:input': { '@message': `${prefix}:${operation.name}Input` }, 'wsdl:output': { '@message': `${prefix}:${operation.name}Output` } })),
      },
      'wsdl:binding': {
        '@name': `${prefix}Binding`,
        '@type': `${prefix}:${prefix}PortType`,
        'soap:binding': { '@style': 'document', '@transport': SOAP_HTTP },
        'wsdl:operation': operations.map((operation) => ({
          '@name': operation.name,
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
    const declarations = [...elements].map(([name, schema]) => ({ '@name': name, 'xs:complexType': writer.complexType(schema) }));
    for (const [name, schema] of writer.commonTypes) common.commonTypes.set(name, schema);
    files.set(xsdFile(service), schemaDocument(service, { 'xs:element': declarations }));
    files.set(wsdlFile(service), wsdlDocument(service, operations));
  }
  const acknowledgement = { '@name': ACKNOWLEDGEMENT_ELEMENT, 'xs:complexType': common.complexType(Acknowledgement) };
  // Common types may nest common types (the acknowledgement's StatusCode): resolve until nothing new appears.
  const named = new Map<string, Xml>();
  for (let pending = [...common.commonTypes.keys()]; pending.length > 0; pending = [...common.commonTypes.keys()].filter((name) => !named.has(name))) {
    for (const name of pending) named.set(name, { '@name': commonTypeName(name), ...common.complexType(common.commonTypes.get(name)!) });
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

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { soapDefinitions } from '../../src/oicp/soap/wsdl';
import { SOAP_ENVELOPE_NS } from '../../src/oicp/wire/soap-services';

/** A set of XSDs by file name (each imports the others by that name). */
export type SchemaSet = [file: string, text: string][];

/** Our generated XSDs (OICP 2.2 form). */
export const OUR_XSDS: SchemaSet = [...soapDefinitions()].filter(([file]) => file.endsWith('.xsd'));

/** Hubject's published OICP 2.0 XSDs, as checked in (fixtures/oicp-2x/official/README.md). */
export const OFFICIAL_DIR = join(__dirname, '..', '..', 'fixtures', 'oicp-2x', 'official');
const RELATED = join(OFFICIAL_DIR, 'RelatedSchemas');
export const OFFICIAL_2_0_XSDS: SchemaSet = readdirSync(RELATED).map((file) => [file, readFileSync(join(RELATED, file), 'utf8')]);

const namespaceOf = (xsd: string) => /targetNamespace="([^"]+)"/.exec(xsd)?.[1] ?? '';

/**
 * A SOAP 1.1 envelope whose Body must hold one element declared by the set (`strict`): an
 * undeclared body element fails, and the body is validated in full by libxml2.
 */
const envelopeXsd = (set: SchemaSet) => `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${SOAP_ENVELOPE_NS}" elementFormDefault="qualified">
  ${set.map(([file, xsd]) => `<xs:import namespace="${namespaceOf(xsd)}" schemaLocation="${file}"/>`).join('\n  ')}
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence><xs:any minOccurs="0" maxOccurs="unbounded" processContents="lax" namespace="##other"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence><xs:any processContents="strict" namespace="##other"/></xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>`;

/** libxml2's complaints about SOAP envelopes checked against a set of XSDs (ours by default); none when all are valid. */
export async function envelopeErrors(envelopes: { name: string; xml: string }[], set: SchemaSet = OUR_XSDS): Promise<string[]> {
  const result = await validateXML({
    xml: envelopes.map(({ name, xml }) => ({ fileName: name.replace(/[^A-Za-z0-9.]+/g, '_'), contents: xml })),
    schema: { fileName: 'soap-envelope.xsd', contents: envelopeXsd(set) },
    preload: set.map(([fileName, contents]) => ({ fileName, contents })),
  });
  return result.errors.map((error) => error.rawMessage);
}

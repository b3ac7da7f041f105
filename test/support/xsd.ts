import { validateXML } from 'xmllint-wasm';
import { soapDefinitions } from '../../src/oicp/soap/wsdl';
import { SOAP_ENVELOPE_NS } from '../../src/oicp/soap/services';

const documents = [...soapDefinitions()].filter(([file]) => file.endsWith('.xsd'));
const namespaceOf = (xsd: string) => /targetNamespace="([^"]+)"/.exec(xsd)?.[1] ?? '';

/**
 * A SOAP 1.1 envelope whose Body must hold one element declared by our XSDs (`strict`): an
 * undeclared body element fails, and the body is validated in full by libxml2.
 */
const ENVELOPE_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${SOAP_ENVELOPE_NS}" elementFormDefault="qualified">
  ${documents.map(([file, xsd]) => `<xs:import namespace="${namespaceOf(xsd)}" schemaLocation="${file}"/>`).join('\n  ')}
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence><xs:any minOccurs="0" maxOccurs="unbounded" processContents="lax" namespace="##other"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence><xs:any processContents="strict" namespace="##other"/></xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>`;

/** libxml2's complaints about SOAP envelopes checked against the WSDL/XSD set; none when all are valid. */
export async function envelopeErrors(envelopes: { name: string; xml: string }[]): Promise<string[]> {
  const result = await validateXML({
    xml: envelopes.map(({ name, xml }) => ({ fileName: name.replace(/[^A-Za-z0-9.]+/g, '_'), contents: xml })),
    schema: { fileName: 'soap-envelope.xsd', contents: ENVELOPE_XSD },
    preload: documents.map(([fileName, contents]) => ({ fileName, contents })),
  });
  return result.errors.map((error) => error.rawMessage);
}

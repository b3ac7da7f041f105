/**
 * Writes the WSDL/XSD set of the SOAP edge into src/oicp/soap/wsdl/ (`npm run wsdl:oicp`). The
 * documents are derived from the operation table, the schemas and the codec; a test fails when
 * the committed set differs from what this writes.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { soapDefinitions } from '../src/oicp/soap/wsdl';

export const WSDL_DIR = join(__dirname, '..', 'src', 'oicp', 'soap', 'wsdl');

if (require.main === module) {
  mkdirSync(WSDL_DIR, { recursive: true });
  for (const file of readdirSync(WSDL_DIR)) rmSync(join(WSDL_DIR, file));
  const documents = soapDefinitions();
  for (const [file, text] of documents) writeFileSync(join(WSDL_DIR, file), text);
  console.log(`wrote ${documents.size} documents to ${WSDL_DIR}`);
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

/** ocpi-tool's OCPI 2.1.1 JSON Schemas (the only machine-readable OCPI definitions), beside the repository. */
const DIR = join(__dirname, '..', '..', '..', 'shared', 'schemas', 'ocpi-2.1.1');

let ajv: Ajv | undefined;

/** Every file registered under its file URL, so `common.schema.json#/...` refs resolve as written. */
function load(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(join(DIR, file), 'utf8')) as object, pathToFileURL(join(DIR, file)).href);
  }
  // Erratum of the set: sessions and CDRs refer to `location.schema.json` and `tariff.schema.json`; the files are plural.
  for (const [alias, file] of [['location', 'locations'], ['tariff', 'tariffs']]) {
    ajv.addSchema(JSON.parse(readFileSync(join(DIR, `${file}.schema.json`), 'utf8')) as object, pathToFileURL(join(DIR, `${alias}.schema.json`)).href);
  }
  return ajv;
}

/** Errors of `data` against one official 2.1.1 schema file (`locations`, `tariffs`, ...); [] when valid. */
export function ocpi211Errors(name: string, data: unknown): string[] {
  const validate = load().getSchema(pathToFileURL(join(DIR, `${name}.schema.json`)).href);
  if (!validate) throw new Error(`no OCPI 2.1.1 schema ${name}`);
  return validate(data) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

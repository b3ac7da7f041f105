import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import type { OicpOperation } from '../../src/oicp/wire/operations';

/** The official OICP 2.3 OpenAPI, beside the repository (CI clones main with shared/ next to it). */
export const OICP_SCHEMAS = join(__dirname, '..', '..', '..', 'shared', 'schemas', 'oicp-2.3');

/**
 * Several official patterns contain escapes (`\-`, `\,`) that unicode-mode RegExps reject; Hubject's
 * own tooling evaluates them without the `u` flag, and so do we.
 */
const nonUnicodeRegExp = Object.assign((pattern: string) => new RegExp(pattern), { code: 'new RegExp' });

/**
 * Files of the official set that are not valid schemas and that no operation references; any other
 * invalid file is an error. OperatorEvseData.yaml (cpo) is a draft whose OperatorEvseData property is
 * empty; eRoamingPushEvseData.yaml holds the real definition.
 */
const KNOWN_BROKEN = new Set(['cpo/OperatorEvseData.yaml']);

const validators = new Map<string, Ajv>();

/** Every YAML file of one OpenAPI (cpo or emp) registered under its file URL, so relative $refs resolve as written. */
function ajvFor(api: 'cpo' | 'emp'): Ajv {
  const cached = validators.get(api);
  if (cached) return cached;
  const dir = join(OICP_SCHEMAS, `openapi-${api}`, 'schemas');
  if (!existsSync(dir)) throw new Error(`official OICP schemas not found at ${dir}: shared/ must sit beside the repository`);
  // strict off: the official files carry OpenAPI keywords (example, discriminator) and errata (maximum on strings).
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: nonUnicodeRegExp } });
  addFormats(ajv);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== '_index.yaml' && !KNOWN_BROKEN.has(`${api}/${f}`))) {
    ajv.addSchema(parse(readFileSync(join(dir, file), 'utf8')) as object, pathToFileURL(join(dir, file)).href);
  }
  validators.set(api, ajv);
  return ajv;
}

/**
 * The validator of one official schema file, e.g. `eRoamingPushEvseStatus`, or of a part of one by
 * JSON pointer, e.g. `EvseDataRecord#/properties/AccessibilityLocation` (enums defined inline).
 */
export function oicpSchema(api: 'cpo' | 'emp', name: string): ValidateFunction {
  const [file, pointer] = name.split('#');
  const href = pathToFileURL(join(OICP_SCHEMAS, `openapi-${api}`, 'schemas', `${file!}.yaml`)).href;
  const validate = ajvFor(api).getSchema(pointer === undefined ? href : `${href}#${pointer}`);
  if (!validate) throw new Error(`no official OICP schema ${name} in openapi-${api}`);
  return validate;
}

/** Errors of `data` against an official schema, readable in a failing assertion; [] when valid. */
export function oicpErrors(api: 'cpo' | 'emp', name: string, data: unknown): string[] {
  const validate = oicpSchema(api, name);
  return validate(data) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

type SchemaRef = { $ref: string } | { oneOf: { $ref: string }[] };
interface Resource {
  post: { requestBody: { content: { 'application/json': { schema: SchemaRef } } }; responses: Record<string, { content?: { 'application/json': { schema: SchemaRef } } }> };
}

/** A path template in a comparable shape: without our base path, `{id}` for any party parameter (the documents name it {providerID}, {externalID}, ...). */
export const pathShape = (path: string) => path.replace(/^\/api\/oicp/, '').replace(/\{[^}]+\}/g, '{id}').replace(/:partyId/g, '{id}');

/** The operation paths of one official OpenAPI document, and the resource file each points to. */
export function officialPaths(api: 'cpo' | 'emp'): Record<string, { $ref: string }> {
  return (parse(readFileSync(join(OICP_SCHEMAS, `openapi-${api}`, 'openapi.yaml'), 'utf8')) as { paths: Record<string, { $ref: string }> }).paths;
}

/**
 * The schema files the official document of `api` gives for the request or the 200 answer of the
 * operation at a path of ours: one, or several when it offers a oneOf.
 */
export function officialBodies(api: 'cpo' | 'emp', pathTemplate: string, part: 'request' | 'response'): string[] {
  const root = join(OICP_SCHEMAS, `openapi-${api}`);
  const entry = Object.entries(officialPaths(api)).find(([path]) => pathShape(path) === pathShape(pathTemplate));
  if (!entry) throw new Error(`no operation at ${pathTemplate} in openapi-${api}`);
  const resourceFile = join(root, entry[1].$ref);
  const resource = parse(readFileSync(resourceFile, 'utf8')) as Resource;
  const schema = part === 'request' ? resource.post.requestBody.content['application/json'].schema : resource.post.responses['200']!.content!['application/json'].schema;
  return ('oneOf' in schema ? schema.oneOf : [schema]).map((s) => join(dirname(resourceFile), s.$ref));
}

/**
 * Errors of a request or 200-answer body of one operation against the official OpenAPI document of
 * `api`, found by the operation's path; where the document offers several bodies (oneOf), the best fit.
 */
export function oicpOperationErrors(api: 'cpo' | 'emp', pathTemplate: string, part: 'request' | 'response', data: unknown): string[] {
  const attempts = officialBodies(api, pathTemplate, part).map((file) => oicpErrors(api, basename(file, '.yaml'), data));
  return attempts.some((errors) => errors.length === 0) ? [] : attempts.reduce((best, errors) => (errors.length < best.length ? errors : best));
}

/** The documents of the roles that take part in an operation: the caller's, and the serving partner's. */
export const apisOf = (operation: OicpOperation): ('cpo' | 'emp')[] =>
  [...new Set([operation.caller, operation.servedBy].filter((r) => r !== undefined).map((r) => r.toLowerCase() as 'cpo' | 'emp'))];

/** The example an official schema file gives, if any. */
export const exampleOf = (schemaFile: string): unknown => (parse(readFileSync(schemaFile, 'utf8')) as { example?: unknown }).example;

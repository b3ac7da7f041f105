/**
 * Talking to the admin API in tests: requests with the token, and every answer checked against the
 * API's own OpenAPI document (status declared for the operation, content type, body schema).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ADMIN_OPENAPI } from '../../src/admin/openapi';

export const ADMIN_TOKEN = 'console-test-token-0123456789';

const DOC_ID = 'https://bridge.test/admin-openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...(JSON.parse(JSON.stringify(ADMIN_OPENAPI)) as object), $id: DOC_ID });

const pointer = (...segments: string[]) => segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The OpenAPI path template a concrete path matches (`/admin/outbox/7/requeue` -> `/admin/outbox/{id}/requeue`). */
function templateOf(path: string): string | undefined {
  return Object.keys(ADMIN_OPENAPI.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`).test(path));
}

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
  headers: Headers;
}

/** Throws unless the answer is one the document declares for this operation, with a body its schema accepts. */
export function assertDocumented(method: string, path: string, answer: Answer): void {
  const template = templateOf(path.split('?')[0]!);
  if (template === undefined) {
    // A path the document does not have: refused as not found, in the document's problem form.
    const problem = ajv.getSchema(`${DOC_ID}#/components/schemas/Problem`)!;
    if (answer.status !== 404 || !answer.contentType.startsWith('application/problem+json') || !problem(answer.body)) throw new Error(`${method} ${path} is not in the document, yet answered ${answer.status}`);
    return;
  }
  const operation = (ADMIN_OPENAPI.paths as Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>>)[template]![method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${template} is not in the OpenAPI document`);
  const response = operation.responses[String(answer.status)];
  if (!response) throw new Error(`${method} ${path} answered ${answer.status}, which the document does not declare: ${JSON.stringify(answer.body)}`);
  const mediaType = Object.keys(response.content).find((type) => answer.contentType.startsWith(type));
  if (!mediaType) throw new Error(`${method} ${path} answered ${answer.status} as ${answer.contentType}; the document says ${Object.keys(response.content).join(', ')}`);
  const validate = ajv.getSchema(`${DOC_ID}#/${pointer('paths', template, method.toLowerCase(), 'responses', String(answer.status), 'content', mediaType, 'schema')}`)!;
  if (!validate(answer.body)) throw new Error(`${method} ${path} ${answer.status} breaks the document: ${ajv.errorsText(validate.errors)}`);
}

/** An admin API request, its answer checked against the document. */
export async function admin(baseUrl: string, method: string, path: string, options: { body?: unknown; token?: string | null } = {}): Promise<Answer> {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token !== null && { authorization: `Bearer ${token}` }), ...(options.body !== undefined && { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const answer = { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
  assertDocumented(method, path, answer);
  return answer;
}

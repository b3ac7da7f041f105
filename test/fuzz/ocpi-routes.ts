/**
 * What the OCPI fuzz tests share: a route to fuzz (the valid request the mutations start from and
 * what a valid request still does afterwards) and the loop that sends FUZZ_RUNS hostile variants of
 * it, each answer held to the OCPI promise. FUZZ_TALLY=1 prints each route's answers by HTTP status
 * and status_code, to see which checks the fuzzing reaches.
 */
import fc from 'fast-check';
import { assertOcpiAnswer, fuzz, hostile, mutations, send, type BaseRequest, type HostileRequest } from './hostile';

export const CARD = 'AABBCCDD';
export const OWNER = { countryCode: 'NL', partyId: 'SIM' };
export const OLD = '2026-01-01T00:00:00Z';
/** Each route's fuzzing, and the valid request after it, within this time. */
export const ROUTE_MS = 180_000;

/** A route to fuzz: the valid request the mutations start from, and what a valid request still does afterwards. */
export interface Target {
  name: string;
  base: () => BaseRequest;
  after: () => Promise<void>;
}

export const ocpi = (method: BaseRequest['method'], path: string[], body?: unknown, query?: Record<string, string>, version = '2.2.1'): BaseRequest => ({
  method,
  segments: ['ocpi', version, ...path],
  // Everything after /ocpi/{version}/{module}.
  mutable: path.slice(1).map((_, i) => 3 + i),
  body,
  query,
});

/** The bridge calls a command's response_url: the fuzzing never lets it name a host other than this machine's simulators. */
const staysLocal = (request: HostileRequest) => !/https?:\/\/(?!127\.0\.0\.1[:/])/i.test(request.body ?? '');

export async function fuzzRoute(url: string, headers: () => Promise<Record<string, string>>, target: Target): Promise<void> {
  const auth = await headers();
  const tally: Record<string, number> = {};
  await fuzz(mutations, async (m) => {
    const request = hostile(target.base(), m);
    fc.pre(staysLocal(request));
    const answer = await send(url, request, auth);
    assertOcpiAnswer(request, answer);
    const key = `${answer.status}/${(answer.json as { status_code: number }).status_code}`;
    tally[key] = (tally[key] ?? 0) + 1;
  });
  if (process.env.FUZZ_TALLY) console.log(target.name, JSON.stringify(tally));
  await target.after();
}

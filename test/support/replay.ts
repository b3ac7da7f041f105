/**
 * The replay harness for recorded exchanges (`trace export`, src/admin/trace-export.ts): each OCPI
 * message the bridge received is run through today's mapper and compared with the message the bridge
 * made of it when it was recorded (the `enqueued` event), findings included. So a partner's real
 * messages, recorded once, stay a regression test of the translation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mapped } from '../../src/core/findings';
import type { FixtureManifest } from '../../src/admin/trace-export';
import { ocpiCdrToOicp } from '../../src/mapping/cdr';
import type { MappingRules } from '../../src/mapping/rules';

/** How an OCPI module's object is mapped again, given what was recorded (the ids the bridge correlated then). */
type Replayer = (body: unknown, recorded: unknown, rules: MappingRules) => Mapped<unknown>;

const REPLAYERS: Record<string, { topic: string; replay: Replayer }> = {
  cdrs: {
    topic: 'oicp:ChargeDetailRecord',
    // The SessionID Hubject gave the session is the bridge's state, not the CDR's: it comes from the recording.
    replay: (body, recorded, rules) => ocpiCdrToOicp(body, { rules, correlation: { sessionId: (recorded as { SessionID: string }).SessionID } }),
  },
};

export interface Replay {
  /** The OCPI module and the event numbers of the inbound message and of the recorded outcome. */
  module: string;
  inbound: number;
  outcome: number;
  recorded: { message: unknown; findings: unknown[] };
  replayed: { message: unknown; findings: unknown[] };
}

const json = (dir: string, file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));

/** Every inbound OCPI message of a recorded exchange that has a replayer, with the recorded and the replayed outcome. */
export function replayExchange(dir: string, rules: MappingRules): Replay[] {
  const manifest = json(dir, 'manifest.json') as FixtureManifest;
  const replays: Replay[] = [];
  for (const event of manifest.events) {
    if (event.protocol !== 'ocpi' || event.direction !== 'in' || event.kind !== 'request') continue;
    const module = event.name.split(' ')[1]?.split('/')[3] ?? '';
    const replayer = REPLAYERS[module];
    const request = event.files.find((f) => /request-\d+\.json$/.test(f));
    // The message the bridge made of it.
    const outcome = manifest.events.find((e) => e.n > event.n && e.kind === 'enqueued' && e.name === replayer?.topic);
    if (!replayer || !request || !outcome) continue;
    const recordedMessage = json(dir, outcome.files[0]!);
    // The mapper's findings are logged around the enqueue (before or after its commit): those after this
    // request and before the next one it answered.
    const next = manifest.events.find((e) => e.n > event.n && e.protocol === 'ocpi' && e.direction === 'in' && e.kind === 'request')?.n ?? Infinity;
    const findings = manifest.events.filter((e) => e.n > event.n && e.n < next && e.kind === 'findings').flatMap((e) => e.findings ?? []);
    const mapped = replayer.replay(json(dir, request), recordedMessage, rules);
    replays.push({ module, inbound: event.n, outcome: outcome.n, recorded: { message: recordedMessage, findings }, replayed: { message: mapped.value, findings: mapped.findings } });
  }
  return replays;
}

/** The recorded exchanges kept in the repository: one folder each under fixtures/recorded/. */
export const RECORDED = join(__dirname, '..', '..', 'fixtures', 'recorded');

/** What the flows need to replay a recorded CDR in a running scene: a session Hubject authorizes now, and the CDR posted by the backend. */
export interface CdrReplayScene {
  /** Authorizes the card at the recorded CDR's location and EVSE; the new Hubject SessionID. */
  authorize(uid: string, location: { location_id: string; evse_uids: string[] }): Promise<string>;
  postCdr(cdr: unknown): Promise<void>;
  /** The CDR Hubject received for a SessionID, once it has. */
  receivedCdr(sessionId: string): Promise<unknown>;
}

/**
 * A recorded CDR exchange replayed through the flows: the backend posts the recorded OCPI CDR to a
 * running bridge (under a session Hubject authorized now, as Hubject's SessionIDs are its own) and
 * Hubject must receive what it received when the exchange was recorded, but for that SessionID.
 */
export async function replayCdrThroughFlows(dir: string, scene: CdrReplayScene): Promise<{ recorded: unknown; replayed: unknown }> {
  const manifest = json(dir, 'manifest.json') as FixtureManifest;
  const inbound = manifest.events.find((e) => e.protocol === 'ocpi' && e.direction === 'in' && e.name.startsWith('POST /ocpi/2.2.1/cdrs'));
  const sent = manifest.events.find((e) => e.protocol === 'oicp' && e.direction === 'out' && e.name === 'ChargeDetailRecord' && e.status === '200');
  if (!inbound || !sent) throw new Error(`${dir} holds no CDR exchange that reached Hubject`);
  const cdr = json(dir, inbound.files.find((f) => /request-\d+\.json$/.test(f))!) as { cdr_token: { uid: string }; cdr_location: { id: string; evse_uid: string } };
  const recorded = json(dir, sent.files.find((f) => /request-\d+\.json$/.test(f))!) as { SessionID: string };
  const sessionId = await scene.authorize(cdr.cdr_token.uid, { location_id: cdr.cdr_location.id, evse_uids: [cdr.cdr_location.evse_uid] });
  await scene.postCdr({ ...cdr, authorization_reference: sessionId });
  return { recorded: { ...recorded, SessionID: sessionId }, replayed: await scene.receivedCdr(sessionId) };
}

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
    // The message the bridge made of it, and the findings reported between the two.
    const outcome = manifest.events.find((e) => e.n > event.n && e.kind === 'enqueued' && e.name === replayer?.topic);
    if (!replayer || !request || !outcome) continue;
    const recordedMessage = json(dir, outcome.files[0]!);
    const findings = manifest.events.filter((e) => e.n > event.n && e.n < outcome.n && e.kind === 'findings').flatMap((e) => e.findings ?? []);
    const mapped = replayer.replay(json(dir, request), recordedMessage, rules);
    replays.push({ module, inbound: event.n, outcome: outcome.n, recorded: { message: recordedMessage, findings }, replayed: { message: mapped.value, findings: mapped.findings } });
  }
  return replays;
}

/** The recorded exchanges kept in the repository: one folder each under fixtures/recorded/. */
export const RECORDED = join(__dirname, '..', '..', 'fixtures', 'recorded');

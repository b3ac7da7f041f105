/**
 * The replay harness for recorded exchanges (`trace export`, src/admin/trace-export.ts): each OCPI
 * message the bridge received is run through today's mapper and compared with what the bridge made
 * of it when it was recorded, findings included. So a partner's real messages, recorded once, stay a
 * regression test of the translation.
 *
 * Like is compared with like: each mapper's output with the messages of its own outbox topic, and
 * with the findings the flow reported under that mapper's own log message (a location PUT reports
 * the EVSE data mapper's findings and each EVSE status mapping's; neither is the other's). What the
 * mapper needs that is the bridge's state, not the message's (Hubject's SessionID, the EvseID the
 * bridge correlated, its OperatorID, whether a Start was already notified) is taken from the
 * recording; the clock is the instant the bridge received the message.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Mapped } from '../../src/core/findings';
import type { FixtureManifest } from '../../src/admin/trace-export';
import { ocpiCdrToOicp } from '../../src/mapping/cdr';
import { ocpiEvseToStatusRecord, type OicpEvseStatusRecord } from '../../src/mapping/evse-status';
import { tokenToIdentification } from '../../src/mapping/identification';
import { isEvseOf, operatorOfEvseId } from '../../src/mapping/identifiers';
import { ocpiLocationToOicp, type OicpEvseData } from '../../src/mapping/location/to-oicp';
import type { MappingRules } from '../../src/mapping/rules';
import { ocpiSessionToNotification } from '../../src/mapping/session';
import type { Evse, Location } from '../../src/ocpi/wire/schemas';
import type { Session, Token } from '../../src/ocpi/wire/transaction-schemas';
import type { PushAuthenticationDataRequest } from '../../src/oicp/wire/messages';
import type { ChargingNotification } from '../../src/oicp/wire/transaction-schemas';

/** One inbound OCPI request of a recording, and what the bridge made of it then. */
export interface RecordedRequest {
  method: string;
  /** The path's ids after the party: a location id, then an EVSE uid (a CDR POST has none). */
  ids: string[];
  body: unknown;
  /**
   * The clock of mappings that depend on the time (UTC offsets): the instant the mapper's findings
   * are dated with (the flow dates them with the instant its mapping stood for), else when the bridge
   * received the message.
   */
  at: Date;
  /** The payloads put in the outbox under a topic, in order. */
  enqueued(topic: string): unknown[];
  /** The requests of the calls of an OICP operation made while delivering them, in order (retries included). */
  called(operation: string): unknown[];
}

interface Replayer {
  /** The log message under which the flow reports this mapper's findings (the trace's `findings` event name). */
  findings: string;
  /** The mapped messages the recording holds, as the mapper gives them. */
  recorded(request: RecordedRequest): unknown[];
  /** Today's mapper on the request: the messages the flow would put out, and the findings; undefined when the recording lacks what it needs. */
  replay(request: RecordedRequest, rules: MappingRules): Mapped<unknown[]> | undefined;
}

const CDR_TOPIC = 'oicp:ChargeDetailRecord';
const EVSE_DATA_TOPIC = 'oicp:PushEvseData';
const EVSE_STATUS_TOPIC = 'oicp:PushEvseStatus';
const NOTIFICATION_TOPIC = 'oicp:ChargingNotification';
const AUTHENTICATION_DATA_TOPIC = 'oicp:PushAuthenticationData';

/** What src/flows/cpo/location-publication.ts enqueues for a location: the mapper's records, and those of its REMOVED EVSEs to delete. */
interface EvseDataPayload {
  operator: { OperatorID: string; OperatorName: string };
  records: OicpEvseData['records'];
  removed: OicpEvseData['records'];
}

const messages = <T>(mapped: Mapped<T | null | undefined>): Mapped<unknown[]> => ({ value: mapped.value ? [mapped.value] : [], findings: mapped.findings });

/** The EVSE data the recording enqueued, in the mapper's terms: a REMOVED EVSE is the EvseID to delete (its record is the flow's, sent with the delete). */
const recordedEvseData = (request: RecordedRequest): OicpEvseData[] =>
  (request.enqueued(EVSE_DATA_TOPIC) as EvseDataPayload[]).map((p) => ({ ...p.operator, records: p.records, deleted: p.removed.map((r) => r.EvseID) }));

/** The bridge's OperatorID then: the one its EVSE data went out as, else the operator of the statuses it pushed (only its own go). */
function operatorOf(request: RecordedRequest): string | undefined {
  const statuses = request.enqueued(EVSE_STATUS_TOPIC) as OicpEvseStatusRecord[];
  return recordedEvseData(request)[0]?.OperatorID ?? (statuses[0] && operatorOfEvseId(statuses[0].EvseID));
}

/**
 * The EVSEs whose status the flow maps for a request (src/flows/cpo/locations.ts): each of a PUT
 * location, a PUT EVSE, an EVSE whose status a PATCH changes (its EvseID is the bridge's, taken from
 * the status it pushed). A location PATCH or a connector changes what the recording does not hold.
 */
function evsesOf(request: RecordedRequest): Evse[] | undefined {
  const [location, uid, connector] = request.ids;
  if (location === undefined || connector !== undefined) return undefined;
  if (request.method === 'PUT') return uid === undefined ? ((request.body as Location).publish === false ? undefined : ((request.body as Location).evses ?? [])) : [request.body as Evse];
  const evseId = (request.enqueued(EVSE_STATUS_TOPIC) as OicpEvseStatusRecord[])[0]?.EvseID;
  if (request.method !== 'PATCH' || uid === undefined || evseId === undefined || !('status' in (request.body as object))) return undefined;
  return [{ uid, evse_id: evseId, ...(request.body as Partial<Evse>) } as Evse];
}

/** Per OCPI module, the mappers the flows run on what the backend sends. */
const REPLAYERS: Record<string, Replayer[]> = {
  cdrs: [
    {
      findings: 'CDR mapped',
      recorded: (request) => request.enqueued(CDR_TOPIC),
      // The SessionID Hubject gave the session is the bridge's state, not the CDR's.
      replay: (request, rules) => {
        const [recorded] = request.enqueued(CDR_TOPIC) as { SessionID: string }[];
        return recorded && messages(ocpiCdrToOicp(request.body, { rules, correlation: { sessionId: recorded.SessionID } }));
      },
    },
  ],
  locations: [
    {
      findings: 'location mapped to EVSE data',
      recorded: recordedEvseData,
      // A whole location only: a PUT or PATCH below it changes the cached location, which the recording does not hold.
      replay: (request, rules) => {
        const operatorId = recordedEvseData(request)[0]?.OperatorID;
        if (request.method !== 'PUT' || request.ids.length !== 1 || operatorId === undefined) return undefined;
        const mapped = ocpiLocationToOicp(request.body, { rules, operatorId, at: request.at });
        const sent = mapped.value && (mapped.value.records.length > 0 || mapped.value.deleted.length > 0) ? [mapped.value] : [];
        return { value: sent, findings: mapped.findings };
      },
    },
    {
      findings: 'EVSE status mapped',
      recorded: (request) => request.enqueued(EVSE_STATUS_TOPIC),
      replay: (request, rules) => {
        const evses = evsesOf(request);
        const operatorId = operatorOf(request);
        if (evses === undefined || operatorId === undefined) return undefined;
        const mapped = evses.map((evse) => ocpiEvseToStatusRecord(evse, '', { overrides: rules.status }));
        // Another operator's EVSE gets no status from us (Hubject would refuse the whole push).
        return { value: mapped.flatMap((m) => (m.value && isEvseOf(m.value.EvseID, operatorId) ? [m.value] : [])), findings: mapped.flatMap((m) => m.findings) };
      },
    },
  ],
  sessions: [
    {
      findings: 'session mapped to a charging notification',
      recorded: (request) => request.enqueued(NOTIFICATION_TOPIC),
      // A whole session, notified then: a PATCH changes the cached session; one not authorized through Hubject has no SessionID.
      replay: (request, rules) => {
        const [recorded] = request.enqueued(NOTIFICATION_TOPIC) as ChargingNotification[];
        if (request.method !== 'PUT' || recorded === undefined) return undefined;
        return messages(
          ocpiSessionToNotification(request.body as Session, { rules, sessionId: recorded.SessionID, evseId: recorded.EvseID, operatorId: recorded.OperatorID, started: recorded.Type !== 'Start' }),
        );
      },
    },
  ],
  tokens: [
    {
      // The outbox holds a reference to the token: the identification is mapped when it is sent, in the delivery's call.
      findings: 'token mapped to an identification',
      recorded: (request) => (request.called('PushAuthenticationData') as PushAuthenticationDataRequest[]).at(-1)?.ProviderAuthenticationData.AuthenticationDataRecord ?? [],
      // Announced only with oicp.pushAuthenticationData; a PATCH changes the cached token.
      replay: (request) => {
        if (request.method !== 'PUT' || request.enqueued(AUTHENTICATION_DATA_TOPIC).length === 0) return undefined;
        const mapped = tokenToIdentification(request.body as Token, 'authorization');
        return { value: mapped.value ? [{ Identification: mapped.value }] : [], findings: mapped.findings };
      },
    },
  ],
};

/** The OCPI modules a recording may hold messages of that the harness replays. */
export const REPLAYED_MODULES = Object.keys(REPLAYERS);

export interface Replay {
  /** The OCPI module, and the event number of the inbound message. */
  module: string;
  inbound: number;
  /** The mapper's log message: which of the module's mappers this is. */
  mapper: string;
  recorded: { messages: unknown[]; findings: unknown[] };
  replayed: { messages: unknown[]; findings: unknown[] };
}

const json = (dir: string, file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const requestFile = (files: string[]) => files.find((f) => /request-\d+\.json$/.test(f));

/** Every inbound OCPI message of a recorded exchange that has a replayer, with the recorded and the replayed outcome of each of its mappers. */
export function replayExchange(dir: string, rules: MappingRules): Replay[] {
  const manifest = json(dir, 'manifest.json') as FixtureManifest;
  const replays: Replay[] = [];
  const inbound = manifest.events.filter((e) => e.protocol === 'ocpi' && e.direction === 'in' && e.kind === 'request');
  for (const [i, event] of inbound.entries()) {
    // `PUT /ocpi/2.2.1/locations/NL/SIM/LOC1/3256`: the module after the version, the ids after the party.
    const [method = '', path = ''] = event.name.split(' ');
    const [, , version, module = '', , , ...ids] = path.split('/');
    const file = requestFile(event.files);
    if (!REPLAYERS[module] || !file) continue;
    // The flows take a 2.1.1 message converted, with what the bridge cached to convert it: not in the recording.
    if (version !== '2.2.1') throw new Error(`${dir}: event ${event.n} is an OCPI ${version} message; recordings replay 2.2.1 messages`);
    // What the bridge made of it: the events after it and before the next message it answered.
    const next = inbound[i + 1]?.n ?? Infinity;
    const after = manifest.events.filter((e) => e.n > event.n && e.n < next);
    const payloads = (kind: string, name: string) => after.filter((e) => e.kind === kind && e.name === name).flatMap((e) => (requestFile(e.files) ? [json(dir, requestFile(e.files)!)] : []));
    const request: RecordedRequest = {
      method,
      ids,
      body: json(dir, file),
      at: new Date(event.at),
      enqueued: (topic) => payloads('enqueued', topic),
      called: (operation) => payloads('call', operation),
    };
    for (const replayer of REPLAYERS[module]) {
      const own = after.filter((e) => e.kind === 'findings' && e.name === replayer.findings);
      const replayed = replayer.replay({ ...request, at: new Date(own[0]?.at ?? event.at) }, rules);
      if (!replayed) continue;
      const findings = own.flatMap((e) => e.findings ?? []);
      replays.push({ module, inbound: event.n, mapper: replayer.findings, recorded: { messages: replayer.recorded(request), findings }, replayed: { messages: replayed.value, findings: replayed.findings } });
    }
  }
  return replays;
}

/** The recorded exchanges kept in the repository: one folder each under fixtures/recorded/. */
export const RECORDED = join(__dirname, '..', '..', 'fixtures', 'recorded');

/** Writes fixture files as `GET /admin/exchanges/{id}/fixtures` answers them into `dir`, replacing what it held. */
export function writeFixtures(dir: string, files: readonly { path: string; content: string }[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
}

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
  const cdr = json(dir, requestFile(inbound.files)!) as { cdr_token: { uid: string }; cdr_location: { id: string; evse_uid: string } };
  const recorded = json(dir, requestFile(sent.files)!) as { SessionID: string };
  const sessionId = await scene.authorize(cdr.cdr_token.uid, { location_id: cdr.cdr_location.id, evse_uids: [cdr.cdr_location.evse_uid] });
  await scene.postCdr({ ...cdr, authorization_reference: sessionId });
  return { recorded: { ...recorded, SessionID: sessionId }, replayed: await scene.receivedCdr(sessionId) };
}

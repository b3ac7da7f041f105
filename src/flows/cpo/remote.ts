/**
 * CPO side, remote start/stop and reservations (issue 7): Hubject's AuthorizeRemoteStart/Stop and
 * AuthorizeRemoteReservationStart/Stop, forwarded to the bridge as the CPO, become OCPI
 * START_SESSION/STOP_SESSION/RESERVE_NOW/CANCEL_RESERVATION toward the backend. Hubject is answered
 * from the backend's synchronous CommandResponse (within Hubject's time limit); the asynchronous
 * CommandResult arrives later at the `response_url` the bridge handed out and is matched to its
 * command by id. Hubject was told the start or stop was accepted, so a result saying the charge
 * point did not carry it out becomes a ChargingNotification Error (through the outbox).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../observability/logger';
import {
  commandOutcomeToAcknowledgement,
  failedCommandToNotification,
  remoteStartToOcpi,
  remoteStopToOcpi,
  reservationStartToOcpi,
  reservationStopToOcpi,
  type RemoteOperation,
} from '../../mapping/command';
import type { Mapped } from '../../core/findings';
import type { OicpHandlers } from '../../oicp/calls';
import { acknowledgement } from '../../oicp/wire/status-codes';
import type { Acknowledgement, Identification } from '../../oicp/wire/transaction-schemas';
import type { CommandResultReceiver, CommandType } from '../../ocpi/commands';
import type { OcpiPeer } from '../../ocpi/peer';
import type { Store } from '../../store';
import { NOTIFICATION_TOPIC } from './sessions';
import { NOTIFIED_KIND } from './authorization-index';
import { recordAuthorization } from './authorization-index';
import type { StartSession } from '../../ocpi/wire/transaction-schemas';
import type { OcpiVersion } from '../../ocpi/wire/transport';
import { locationOfEvse } from './location-publication';

/** A command the bridge sent: its id (in the response_url) <-> Hubject's SessionID. */
export const COMMAND_KIND = 'command';
/** OCPI 2.1.1 reservation ids are integers: the number the bridge gave a Hubject reservation (SessionID). */
export const RESERVATION_NUMBER_KIND = 'reservation-number';
/** Where the last reservation number is counted. */
const COUNTERS_MODULE = 'bridge:counters';

/** What the bridge keeps of a command it sent, for its result. */
interface SentCommand {
  sessionId: string | undefined;
  evseId: string;
  identification?: Identification;
}

interface CpoRemoteOptions {
  store: Store;
  /** The registered CPO backend; undefined until it registers. */
  backend: () => Promise<OcpiPeer | undefined>;
  /** Our OperatorID toward Hubject (named in Error notifications). */
  operatorId: string;
  publicUrl: () => string;
  logger: Logger;
  now: () => Date;
}

export function cpoRemote(options: CpoRemoteOptions): { oicp: OicpHandlers; results: CommandResultReceiver } {
  const { store, logger } = options;
  const { now } = options;

  /**
   * The durable number of a Hubject reservation for a 2.1.1 backend, the same each time it is asked
   * (a cancellation names the reservation Hubject's way). Counted up to 999,999,999, then from 1 again.
   */
  const reservationNumber = (sessionId: string): Promise<string> =>
    store.transaction(async (tx) => {
      const known = await tx.correlations.byOicp(RESERVATION_NUMBER_KIND, sessionId);
      if (known) return known.ocpiId;
      await tx.objects.lock(COUNTERS_MODULE, 'bridge', 'reservation');
      const next = ((await tx.objects.get<{ n: number }>(COUNTERS_MODULE, 'bridge', 'reservation'))?.body.n ?? 0) % 999_999_999 + 1;
      await tx.objects.put(COUNTERS_MODULE, 'bridge', 'reservation', { n: next });
      // A number handed out a billion reservations ago is someone else's now.
      await tx.correlations.delete(RESERVATION_NUMBER_KIND, String(next));
      await tx.correlations.put({ kind: RESERVATION_NUMBER_KIND, ocpiId: String(next), oicpId: sessionId });
      return String(next);
    });

  /** Sends a command and answers Hubject from the synchronous response. */
  async function send(
    type: CommandType,
    operation: RemoteOperation,
    sent: SentCommand,
    build: (responseUrl: string, version: OcpiVersion) => Mapped<unknown> | Promise<Mapped<unknown>>,
  ): Promise<Acknowledgement> {
    const sessionId = sent.sessionId;
    const peer = await options.backend();
    if (!peer) return acknowledgement('300', 'the OCPI backend is not registered with the bridge', { SessionID: sessionId });
    // OCPI 2.1.1 has no CANCEL_RESERVATION: the reservation ends at its expiry_date.
    if (type === 'CANCEL_RESERVATION' && peer.version === '2.1.1') {
      return acknowledgement('320', 'the CPO backend speaks OCPI 2.1.1, which cannot cancel a reservation; it ends at its expiry time', { SessionID: sessionId });
    }
    const id = randomUUID();
    const command = await build(`${options.publicUrl()}/ocpi/${peer.version}/commands/${type}/${id}`, peer.version);
    if (command.value === undefined) {
      const why = command.findings.filter((f) => f.kind === 'invalid').map((f) => f.message).join('; ');
      // An EVSE or token OCPI cannot target is the start's 603; an unknown session or reservation, 400.
      return acknowledgement(operation === 'start' || operation === 'reserve' ? '603' : '400', why, { SessionID: sessionId });
    }
    await store.correlations.put({ kind: COMMAND_KIND, ocpiId: id, oicpId: `${type}/${sessionId ?? id}`, attrs: { type, ...sent } });
    const response = await peer.command(type, command.value);
    if (!response.ok) {
      logger.warn('OCPI command not taken by the backend', { type, sessionId, failure: response.failure });
      return acknowledgement('501', response.failure.message, { SessionID: sessionId });
    }
    // A remote start is Hubject's authorization of the session the backend opens for it: its notifications and CDR follow.
    if (type === 'START_SESSION' && sessionId !== undefined && response.value.result === 'ACCEPTED') {
      const { token } = command.value as StartSession;
      await store.transaction((tx) =>
        recordAuthorization(tx, { attrs: { identification: sent.identification, evseId: sent.evseId, remote: true }, token, given: { sessionId, evseId: sent.evseId, at: now().toISOString() } }),
      );
    }
    return commandOutcomeToAcknowledgement(response.value, { operation, sessionId }).value ?? acknowledgement('021', 'the backend answered what OICP cannot carry', { SessionID: sessionId });
  }

  return {
    oicp: {
      AuthorizeRemoteStart: async (request) => {
        const location = await locationOfEvse(store, request.EvseID);
        return send('START_SESSION', 'start', { sessionId: request.SessionID, evseId: request.EvseID, identification: request.Identification }, (responseUrl) => remoteStartToOcpi(request, { responseUrl, location, now: now() }));
      },
      AuthorizeRemoteStop: async (request) => {
        const notified = await store.correlations.byOicp(NOTIFIED_KIND, request.SessionID);
        const sessionId = notified?.ocpiId.split('/').at(-1);
        return send('STOP_SESSION', 'stop', { sessionId: request.SessionID, evseId: request.EvseID }, (responseUrl) => remoteStopToOcpi(request, { responseUrl, now: now(), ...(sessionId !== undefined && { sessionId }) }));
      },
      // Hubject's SessionID of the reservation is the OCPI reservation_id: the cancellation names it.
      // A 2.1.1 backend gets a number the bridge keeps for the SessionID instead (its reservation_id is an integer).
      AuthorizeRemoteReservationStart: async (request) => {
        const location = await locationOfEvse(store, request.EvseID);
        return send('RESERVE_NOW', 'reserve', { sessionId: request.SessionID, evseId: request.EvseID }, async (responseUrl, version) =>
          reservationStartToOcpi(request, { responseUrl, location, now: now(), ...(version === '2.1.1' && request.SessionID !== undefined && { reservationId: await reservationNumber(request.SessionID) }) }),
        );
      },
      AuthorizeRemoteReservationStop: (request) =>
        send('CANCEL_RESERVATION', 'cancel', { sessionId: request.SessionID, evseId: request.EvseID }, (responseUrl) => reservationStopToOcpi(request, { responseUrl, now: now() })),
    },
    results: {
      async result(type, id, result) {
        const command = await store.correlations.byOcpi(COMMAND_KIND, id);
        if (!command) return false;
        const sent = command.attrs as unknown as SentCommand;
        const failed =
          (type === 'START_SESSION' || type === 'STOP_SESSION') && sent.sessionId !== undefined
            ? failedCommandToNotification(result, { operation: type === 'START_SESSION' ? 'start' : 'stop', sessionId: sent.sessionId, evseId: sent.evseId, operatorId: options.operatorId, ...(sent.identification && { identification: sent.identification }) }).value
            : undefined;
        await store.transaction(async (tx) => {
          await tx.correlations.put({ kind: COMMAND_KIND, ocpiId: id, oicpId: command.oicpId, attrs: { ...command.attrs, result: result.result } });
          // Keyed by the command: a result posted twice tells Hubject once.
          if (failed) await tx.outbox.enqueue({ topic: NOTIFICATION_TOPIC, key: `command/${id}`, payload: failed });
        });
        const log = result.result === 'ACCEPTED' ? logger.info.bind(logger) : logger.warn.bind(logger);
        log('OCPI command result', { type, sessionId: sent.sessionId, result: result.result, ...(failed && { notified: 'ChargingNotification Error' }) });
        return true;
      },
    },
  };
}

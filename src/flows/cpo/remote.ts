/**
 * CPO side, remote start and stop (issue 7): Hubject's AuthorizeRemoteStart/Stop, forwarded to the
 * bridge as the CPO, become OCPI START_SESSION/STOP_SESSION toward the backend. Hubject is answered
 * from the backend's synchronous CommandResponse (within Hubject's time limit); the asynchronous
 * CommandResult arrives later at the `response_url` the bridge handed out and is matched to its
 * command by id.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../observability/logger';
import { commandOutcomeToAcknowledgement, remoteStartToOcpi, remoteStopToOcpi, type RemoteOperation } from '../../mapping/command';
import type { Mapped } from '../../mapping/findings';
import type { OicpHandlers } from '../../oicp/calls';
import { acknowledgement } from '../../oicp/status-codes';
import type { Acknowledgement } from '../../oicp/transaction-schemas';
import type { OcpiClient } from '../../ocpi/client';
import type { CommandResultReceiver, CommandType } from '../../ocpi/commands';
import { BACKEND_PARTY } from '../../ocpi';
import { OcpiPeer } from '../../ocpi/peer';
import type { Location } from '../../ocpi/schemas';
import type { OcpiPartyRole } from '../../store/credentials';
import type { Store } from '../../store';
import { NOTIFIED_KIND } from './sessions';

/** A command the bridge sent: its id (in the response_url) <-> Hubject's SessionID. */
export const COMMAND_KIND = 'command';

export interface CpoRemoteOptions {
  store: Store;
  client: OcpiClient;
  /** Our role toward the backend (the eMSP side). */
  us: OcpiPartyRole;
  publicUrl: () => string;
  logger: Logger;
  now?: () => Date;
}

export function cpoRemote(options: CpoRemoteOptions): { oicp: OicpHandlers; results: CommandResultReceiver } {
  const { store, logger } = options;
  const now = options.now ?? (() => new Date());

  async function backend(): Promise<OcpiPeer | undefined> {
    const party = await store.parties.get(BACKEND_PARTY);
    return party?.state === 'registered' ? new OcpiPeer(party, options.client, options.us) : undefined;
  }

  /** The cached location holding an EvseID. */
  async function locationOf(evseId: string): Promise<Location | undefined> {
    return (await store.objects.list<Location>('locations')).map((o) => o.body).find((l) => l.evses?.some((e) => e.evse_id === evseId));
  }

  /** Sends a command and answers Hubject from the synchronous response. */
  async function send(type: CommandType, operation: RemoteOperation, sessionId: string, build: (responseUrl: string) => Mapped<unknown>): Promise<Acknowledgement> {
    const peer = await backend();
    if (!peer) return acknowledgement('300', 'the OCPI backend is not registered with the bridge', { SessionID: sessionId });
    const id = randomUUID();
    const command = build(`${options.publicUrl()}/ocpi/${peer.version}/commands/${type}/${id}`);
    if (command.value === undefined) {
      const why = command.findings.filter((f) => f.kind === 'invalid').map((f) => f.message).join('; ');
      return acknowledgement(operation === 'start' ? '603' : '400', why, { SessionID: sessionId });
    }
    await store.correlations.put({ kind: COMMAND_KIND, ocpiId: id, oicpId: `${type}/${sessionId}`, attrs: { type, sessionId } });
    const response = await peer.command(type, command.value);
    if (!response.ok) {
      logger.warn('OCPI command not taken by the backend', { type, sessionId, failure: response.failure });
      return acknowledgement('501', response.failure.message, { SessionID: sessionId });
    }
    return commandOutcomeToAcknowledgement(response.value, { operation, sessionId }).value ?? acknowledgement('021', 'the backend answered what OICP cannot carry', { SessionID: sessionId });
  }

  return {
    oicp: {
      AuthorizeRemoteStart: async (request) => {
        const location = await locationOf(request.EvseID);
        return send('START_SESSION', 'start', request.SessionID, (responseUrl) => remoteStartToOcpi(request, { responseUrl, location, now: now() }));
      },
      AuthorizeRemoteStop: async (request) => {
        const notified = await store.correlations.byOicp(NOTIFIED_KIND, request.SessionID);
        const sessionId = notified?.ocpiId.split('/').at(-1);
        return send('STOP_SESSION', 'stop', request.SessionID, (responseUrl) => remoteStopToOcpi(request, { responseUrl, now: now(), ...(sessionId !== undefined && { sessionId }) }));
      },
    },
    results: {
      async result(type, id, result) {
        const command = await store.correlations.byOcpi(COMMAND_KIND, id);
        if (!command) return false;
        await store.correlations.put({ kind: COMMAND_KIND, ocpiId: id, oicpId: command.oicpId, attrs: { ...command.attrs, result: result.result } });
        const log = result.result === 'ACCEPTED' ? logger.info.bind(logger) : logger.warn.bind(logger);
        log('OCPI command result', { type, sessionId: command.attrs.sessionId, result: result.result });
        return true;
      },
    },
  };
}

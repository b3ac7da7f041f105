/**
 * EMP side, remote start/stop and reservations (issue 8): the backend's commands become Hubject's
 * AuthorizeRemote* calls. The CommandResponse is immediate (ACCEPTED once the command could be
 * written in OICP, REJECTED with the reason otherwise); Hubject's acknowledgement, which carries the
 * CPO's answer, becomes the CommandResult, POSTed to the command's response_url through the outbox.
 * A start or reservation gets a new Hubject SessionID from the bridge; the EVSE and SessionID are
 * kept so that the stop or cancel, which name only OCPI ids, can be written.
 */
import { randomUUID } from 'node:crypto';
import { acknowledgementToCommandResult, cancelReservationToOicp, reserveNowToOicp, startSessionToOicp, stopSessionToOicp } from '../../mapping/command';
import type { OicpResult } from '../../oicp/client';
import { statusCode } from '../../oicp/wire/status-codes';
import type { Acknowledgement } from '../../oicp/wire/transaction-schemas';
import type { CommandReceiver, CommandType } from '../../ocpi/commands';
import type { Location } from '../../ocpi/wire/schemas';
import type { CommandResponse, CommandResult } from '../../ocpi/wire/transaction-schemas';
import type { Deliverer } from '../outbox-worker';
import { backendDeliverer, peerDelivery } from '../ocpi-delivery';
import { ourKey, type EmpContext } from './context';
import type { EmpNetwork } from './network';
import { refusalOf } from './sessions';
import { hubjectEvseIdOf } from '../../mapping/identifiers';

export const COMMAND_RESULT_TOPIC = 'ocpi:command-result';
/** OCPI id (session or reservation) -> Hubject SessionID, with the EvseID. */
export const REMOTE_KIND = 'emp-remote';

/** How long the backend is told to wait for the result: Hubject's remote calls answer within 30 s. */
const RESULT_TIMEOUT_S = 40;

const rejected = (why: string): CommandResponse => ({ result: 'REJECTED', timeout: 0, message: [{ language: 'en', text: why.slice(0, 512) }] });

export function empRemote(context: EmpContext, network: EmpNetwork): CommandReceiver {
  const { store, logger } = context;
  const owner = ourKey(context);

  const locationOf = async (command: { location_id?: string }) => (command.location_id === undefined ? undefined : (await store.objects.get<Location>('locations', owner, command.location_id))?.body);

  /** The Hubject ids kept for an OCPI session or reservation id. */
  const remembered = async (ocpiId: string) => {
    const entry = await store.correlations.byOcpi(REMOTE_KIND, ocpiId);
    return entry && { sessionId: entry.oicpId, evseId: entry.attrs.evseId as string };
  };

  /** Sends the call in the background and announces its outcome as the CommandResult. */
  function follow(type: CommandType, responseUrl: string, call: () => Promise<OicpResult<Acknowledgement>>, evseId: string): void {
    void (async () => {
      const outcome = await call();
      const ack: Acknowledgement = outcome.ok ? outcome.value : { Result: false, StatusCode: outcome.error.statusCode ?? statusCode('021', outcome.error.message) };
      const result: CommandResult = acknowledgementToCommandResult(ack).value ?? { result: 'FAILED' };
      logger.info('remote command answered by Hubject', { type, result: result.result, code: ack.StatusCode.Code });
      await store.outbox.enqueue({ topic: COMMAND_RESULT_TOPIC, payload: { responseUrl, result, type } });
      if (result.result === 'ACCEPTED') await network.pullStatuses([evseId]);
    })().catch((err: unknown) => logger.error('remote command could not be followed up', { type, reason: (err as Error).message }));
  }

  return {
    async command(type, command) {
      const { response_url: responseUrl } = command as { response_url: string };
      const providerId = context.providerId;
      switch (type) {
        case 'START_SESSION': {
          const sessionId = randomUUID();
          const mapped = startSessionToOicp(command, { sessionId, location: await locationOf(command as { location_id?: string }) });
          const request = mapped.value;
          if (!request) return rejected(refusalOf(mapped.findings));
          await store.correlations.put({ kind: REMOTE_KIND, ocpiId: sessionId, oicpId: sessionId, attrs: { evseId: request.EvseID } });
          follow(type, responseUrl, () => context.oicp.call('AuthorizeRemoteStart', { ...request, ProviderID: providerId }), request.EvseID);
          break;
        }
        case 'STOP_SESSION': {
          const sessionId = (command as { session_id: string }).session_id;
          const ids = await remembered(sessionId);
          const mapped = stopSessionToOicp(command, { sessionId, evseId: ids?.evseId ?? (await sessionEvse(sessionId)), providerId });
          const request = mapped.value;
          if (!request) return rejected(refusalOf(mapped.findings));
          follow(type, responseUrl, () => context.oicp.call('AuthorizeRemoteStop', request), request.EvseID);
          break;
        }
        case 'RESERVE_NOW': {
          const sessionId = randomUUID();
          const mapped = reserveNowToOicp(command, { sessionId, location: await locationOf(command as { location_id?: string }) });
          const request = mapped.value;
          if (!request) return rejected(refusalOf(mapped.findings));
          const reservationId = (command as { reservation_id: string }).reservation_id;
          await store.correlations.put({ kind: REMOTE_KIND, ocpiId: `reservation/${reservationId}`, oicpId: sessionId, attrs: { evseId: request.EvseID } });
          follow(type, responseUrl, () => context.oicp.call('AuthorizeRemoteReservationStart', { ...request, ProviderID: providerId }), request.EvseID);
          break;
        }
        case 'CANCEL_RESERVATION': {
          const ids = await remembered(`reservation/${(command as { reservation_id: string }).reservation_id}`);
          const mapped = cancelReservationToOicp(command, { sessionId: ids?.sessionId, evseId: ids?.evseId, providerId });
          const request = mapped.value;
          if (!request) return rejected(refusalOf(mapped.findings));
          follow(type, responseUrl, () => context.oicp.call('AuthorizeRemoteReservationStop', request), request.EvseID);
          break;
        }
        default:
          return { result: 'NOT_SUPPORTED', timeout: 0, message: [{ language: 'en', text: `OICP has no ${type}` }] };
      }
      return { result: 'ACCEPTED', timeout: RESULT_TIMEOUT_S };
    },
  };

  /** The EvseID of a session Hubject told us about (a session started at the charge point, not by us). */
  async function sessionEvse(sessionId: string): Promise<string | undefined> {
    const session = (await store.objects.get<{ location_id: string; evse_uid: string }>('sessions', owner, sessionId))?.body;
    const location = session && (await store.objects.get<Location>('locations', owner, session.location_id))?.body;
    // Hubject's spelling (a DIN EvseID reaches OCPI in its ISO form).
    const evse = location?.evses?.find((e) => e.uid === session!.evse_uid);
    return evse && hubjectEvseIdOf(evse);
  }
}

/** POSTs each command's result to its response_url. */
export function commandResultDeliverer(context: EmpContext): Deliverer {
  return backendDeliverer(context.backend, async (peer, item) => {
    const { responseUrl, result } = item.payload as { responseUrl: string; result: CommandResult };
    return peerDelivery(await peer.commandResult(responseUrl, result));
  });
}

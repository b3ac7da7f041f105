/**
 * The Commands module (../shared/spec/ocpi.md §4.6) on both sides. Receiver (the bridge as CPO):
 * `POST {commands}/{command}` with the command in the body, answered at once with a
 * CommandResponse; the result follows later at the command's `response_url` (the flows post it).
 * Sender (the bridge as eMSP): the `response_url`s the bridge hands out,
 * `{commands}/{command}/{id}`, where the CPO posts the asynchronous result (a plain object, not an
 * envelope; 2.1.1 posts a CommandResponse).
 */
import type { Request, Response, Router } from 'express';
import { ocpiModuleRouter } from './ids';
import type { TSchema } from '@sinclair/typebox';
import type { Mapped } from '../core/findings';
import type { OcpiParty as StoredParty } from '../store/credentials';
import { asCanonical, refused, type ReceiverContext } from './receiver';
import { CancelReservation, CommandResult, ReserveNow, StartSession, StopSession, UnlockConnector, type CommandResponse } from './wire/transaction-schemas';
import { commandResult211To221, reserveNow211To221, startSession211To221 } from '../mapping/ocpi-211/transactions';
import { OcpiError, envelope, type OcpiVersion } from './wire/transport';

const COMMAND_TYPES = ['START_SESSION', 'STOP_SESSION', 'RESERVE_NOW', 'CANCEL_RESERVATION', 'UNLOCK_CONNECTOR'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** Each command's body in 2.2.1, and how a 2.1.1 body is raised (CANCEL_RESERVATION is 2.2.1 only). */
const COMMANDS: Record<CommandType, { schema: TSchema; up?: (body: unknown, owner: { countryCode: string; partyId: string }) => Mapped<unknown> }> = {
  START_SESSION: { schema: StartSession, up: (body, owner) => startSession211To221(body, { party: owner }) },
  STOP_SESSION: { schema: StopSession, up: (body) => ({ value: body, findings: [] }) },
  RESERVE_NOW: { schema: ReserveNow, up: (body, owner) => reserveNow211To221(body, { party: owner }) },
  CANCEL_RESERVATION: { schema: CancelReservation },
  UNLOCK_CONNECTOR: { schema: UnlockConnector, up: (body) => ({ value: body, findings: [] }) },
};

export interface CommandReceiver {
  /** Takes a command from the eMSP: ACCEPTED means a result will follow at its response_url. */
  command(type: CommandType, command: unknown, context: ReceiverContext): Promise<CommandResponse>;
}

export interface CommandResultReceiver {
  /** A CPO's asynchronous result for the command the bridge sent as `id`; false when no such command is waiting. */
  result(type: CommandType, id: string, result: CommandResult, context: ReceiverContext): Promise<boolean>;
}

const versionOf = (req: Request) => req.params.version as OcpiVersion;
const partyOf = (res: Response) => res.locals.party as StoredParty;
const commandOf = (req: Request): CommandType => {
  const type = String(req.params.command);
  const known = (COMMAND_TYPES as readonly string[]).includes(type) && (type !== 'CANCEL_RESERVATION' || versionOf(req) !== '2.1.1');
  if (!known) throw new OcpiError(2000, `no command ${type} in OCPI ${versionOf(req)}`, 404);
  return type as CommandType;
};

/** The Commands Receiver routes, below `{commands}`. */
export function commandReceiverRoutes(handlers: CommandReceiver): Router {
  const router = ocpiModuleRouter();
  router.post('/:command', async (req, res) => {
    const type = commandOf(req);
    const owner = partyOf(res).roles[0] ?? { countryCode: '', partyId: '' };
    const spec = COMMANDS[type];
    const read = asCanonical(spec.schema, versionOf(req) === '2.1.1' && spec.up ? spec.up(req.body, owner) : { value: req.body, findings: [] });
    if (read.value === undefined) throw new OcpiError(2001, refused(read.findings).join('; ') || `not a valid ${type} command`);
    const response = await handlers.command(type, read.value, { party: partyOf(res).id, version: versionOf(req), findings: read.findings });
    // 2.1.1's synchronous answer is the result alone (its TIMEOUT came asynchronously).
    res.json(envelope(versionOf(req) === '2.1.1' ? { result: response.result } : response, new Date()));
  });
  return router;
}

/** The Commands Sender routes, below `{commands}`: where CPOs post the results of our commands. */
export function commandResultRoutes(handlers: CommandResultReceiver): Router {
  const router = ocpiModuleRouter();
  router.post('/:command/:id', async (req, res) => {
    const type = commandOf(req);
    const read = asCanonical(CommandResult, versionOf(req) === '2.1.1' ? commandResult211To221(req.body) : { value: req.body, findings: [] });
    if (read.value === undefined) throw new OcpiError(2001, refused(read.findings).join('; ') || 'not a valid command result');
    const known = await handlers.result(type, String(req.params.id), read.value as CommandResult, { party: partyOf(res).id, version: versionOf(req), findings: read.findings });
    if (!known) throw new OcpiError(2001, `no ${type} command ${String(req.params.id)} is waiting for a result`, 404);
    res.json(envelope(undefined, new Date()));
  });
  return router;
}

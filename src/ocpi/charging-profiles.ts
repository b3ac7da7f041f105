/**
 * The ChargingProfiles module (2.2.1 only, ../shared/spec/ocpi.md §4.7), asynchronous like
 * Commands. Receiver (the CPO): GET the active profile of a session, PUT a profile, DELETE it, each
 * answered at once with a ChargingProfileResponse, the result posted later to the `response_url`.
 * Sender (the eMSP or SCSP): the CPO PUTs changes of a session's active profile, and posts results
 * to the `response_url`s handed out, here `{chargingprofiles}/results/{id}`.
 */
import type { Request, Response, Router } from 'express';
import { ocpiModuleRouter } from './ids';
import type { OcpiParty as StoredParty } from '../store/credentials';
import { ActiveChargingProfile, ChargingProfileResult, SetChargingProfile, type ChargingProfileResponse } from './wire/transaction-schemas';
import { OcpiError, bodyAs, envelope } from './wire/transport';

export interface ChargingProfileReceiver {
  /** Asks the charge point for the profile active over the next `duration` seconds. */
  getActive(sessionId: string, duration: number, responseUrl: string, party: string): Promise<ChargingProfileResponse>;
  set(sessionId: string, profile: SetChargingProfile, party: string): Promise<ChargingProfileResponse>;
  clear(sessionId: string, responseUrl: string, party: string): Promise<ChargingProfileResponse>;
}

export interface ChargingProfileSender {
  /** A CPO's update of the profile active in a session. */
  activeProfile(sessionId: string, profile: ActiveChargingProfile, party: string): Promise<void>;
  /** The asynchronous result of a request the bridge sent as `id`; false when none is waiting. */
  result(id: string, result: ChargingProfileResult, party: string): Promise<boolean>;
}

const partyOf = (res: Response) => (res.locals.party as StoredParty).id;
const responseUrl = (req: Request): string => {
  const url = req.query.response_url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new OcpiError(2001, 'response_url: an http(s) URL is required');
  return url;
};

export function chargingProfileReceiverRoutes(handlers: ChargingProfileReceiver): Router {
  const router = ocpiModuleRouter();
  router.get('/:session_id', async (req, res) => {
    const duration = Number(req.query.duration);
    if (!Number.isInteger(duration) || duration < 0) throw new OcpiError(2001, 'duration: whole seconds are required');
    res.json(envelope(await handlers.getActive(String(req.params.session_id), duration, responseUrl(req), partyOf(res)), new Date()));
  });
  router.put('/:session_id', async (req, res) => {
    res.json(envelope(await handlers.set(String(req.params.session_id), bodyAs(SetChargingProfile, req.body), partyOf(res)), new Date()));
  });
  router.delete('/:session_id', async (req, res) => {
    res.json(envelope(await handlers.clear(String(req.params.session_id), responseUrl(req), partyOf(res)), new Date()));
  });
  return router;
}

export function chargingProfileSenderRoutes(handlers: ChargingProfileSender): Router {
  const router = ocpiModuleRouter();
  router.post('/results/:id', async (req, res) => {
    const known = await handlers.result(String(req.params.id), bodyAs(ChargingProfileResult, req.body), partyOf(res));
    if (!known) throw new OcpiError(2001, `no charging profile request ${String(req.params.id)} is waiting for a result`, 404);
    // The spec asks Sender answers of this module to carry no data.
    res.json(envelope(undefined, new Date()));
  });
  router.put('/:session_id', async (req, res) => {
    await handlers.activeProfile(String(req.params.session_id), bodyAs(ActiveChargingProfile, req.body), partyOf(res));
    res.json(envelope(undefined, new Date()));
  });
  return router;
}

/**
 * HubClientInfo (2.2.1 only, ../shared/spec/ocpi.md §4.8): a hub tells its connected parties which
 * other parties are reachable, and how. Receiver (every party behind a hub): the hub PUTs ClientInfo
 * at `{hubclientinfo}/{country_code}/{party_id}` and may GET it back; it never deletes (a party that
 * left is SUSPENDED). A configuration module: no routing headers.
 */
import type { Response, Router } from 'express';
import { ocpiModuleRouter } from './ids';
import type { OcpiParty as StoredParty } from '../store/credentials';
import { ClientInfo } from './wire/credentials';
import { OcpiError, bodyAs, envelope } from './wire/transport';

export interface ClientInfoReceiver {
  put(info: ClientInfo, hub: string): Promise<void>;
  get(ref: { countryCode: string; partyId: string }, hub: string): Promise<ClientInfo | undefined>;
}

const hubOf = (res: Response) => (res.locals.party as StoredParty).id;

export function clientInfoReceiverRoutes(handlers: ClientInfoReceiver): Router {
  const router = ocpiModuleRouter();
  router.put('/:country_code/:party_id', async (req, res) => {
    const info = bodyAs(ClientInfo, req.body);
    const ref = { countryCode: String(req.params.country_code).toUpperCase(), partyId: String(req.params.party_id).toUpperCase() };
    if (info.country_code.toUpperCase() !== ref.countryCode || info.party_id.toUpperCase() !== ref.partyId) {
      throw new OcpiError(2001, `country_code/party_id ${info.country_code}/${info.party_id} differ from the URL's ${ref.countryCode}/${ref.partyId}`);
    }
    await handlers.put(info, hubOf(res));
    res.json(envelope(undefined, new Date()));
  });
  router.get('/:country_code/:party_id', async (req, res) => {
    const info = await handlers.get({ countryCode: String(req.params.country_code).toUpperCase(), partyId: String(req.params.party_id).toUpperCase() }, hubOf(res));
    if (info === undefined) throw new OcpiError(2001, 'unknown party', 404);
    res.json(envelope(info, new Date()));
  });
  return router;
}

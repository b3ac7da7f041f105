/**
 * The CDRs Receiver interface (../shared/spec/ocpi.md §4.3): the CPO posts each finished session's
 * CDR once to `{cdrs}`; the answer's `Location` header says where the stored CDR can be read back
 * (`{cdrs}/{country_code}/{party_id}/{cdr_id}` here). A repeated POST of the same CDR is answered as
 * the first (a CPO retrying after a lost answer must not be refused); a different CDR under a used
 * id is refused.
 */
import type { Request, Response, Router } from 'express';
import { ocpiModuleRouter } from './ids';
import type { Mapped } from '../core/findings';
import type { OcpiParty as StoredParty } from '../store/credentials';
import { roleOf } from './wire/credentials';
import { asCanonical, refused, type ModuleOptions, type ReceiverContext } from './receiver';
import { Cdr, type Cdr as CdrObject } from './wire/transaction-schemas';
import { cdr211To221, cdr221To211 } from '../mapping/ocpi-211/transactions';
import { OcpiError, envelope, type OcpiVersion } from './wire/transport';

export interface CdrReceiver {
  /** Stores a CDR: `stored`, `same` (this CDR was stored before) or `conflict` (another CDR has its id). */
  post(cdr: CdrObject, context: ReceiverContext): Promise<'stored' | 'same' | 'conflict'>;
  get(ref: { countryCode: string; partyId: string; id: string }): Promise<CdrObject | undefined>;
}

const versionOf = (req: Request) => req.params.version as OcpiVersion;
const partyOf = (res: Response) => res.locals.party as StoredParty;

export function cdrReceiverRoutes(handlers: CdrReceiver, options: ModuleOptions & { publicUrl: () => string }): Router {
  const router = ocpiModuleRouter();

  router.post('/', async (req, res) => {
    const party = partyOf(res);
    let read: Mapped<CdrObject | undefined>;
    if (versionOf(req) === '2.1.1') {
      // A 2.1.1 CDR names no owner: it is the caller's (a 2.1.1 connection is one party).
      const authId = (req.body as { auth_id?: unknown } | null)?.auth_id;
      const token = typeof authId === 'string' ? await options.tokenOf?.(authId) : undefined;
      read = cdr211To221(req.body, { party: party.roles[0], token });
    } else read = { value: req.body as CdrObject, findings: [] };
    const canonical = asCanonical(Cdr, read);
    const cdr = canonical.value as CdrObject | undefined;
    if (cdr === undefined) throw new OcpiError(2001, refused(canonical.findings).join('; ') || 'not a valid CDR');
    const owner = { countryCode: cdr.country_code.toUpperCase(), partyId: cdr.party_id.toUpperCase() };
    if (!roleOf(party.roles, owner)) throw new OcpiError(2001, `country_code/party_id ${owner.countryCode}/${owner.partyId}: not a party you registered as`);
    const outcome = await handlers.post(cdr, { party: party.id, version: versionOf(req), findings: canonical.findings });
    if (outcome === 'conflict') throw new OcpiError(2001, `a different CDR with id ${cdr.id} was received before`);
    const where = `${options.publicUrl()}/ocpi/${versionOf(req)}/cdrs/${owner.countryCode}/${owner.partyId}/${encodeURIComponent(cdr.id)}`;
    res.set('Location', where).json(envelope(undefined, new Date()));
  });

  router.get('/:country_code/:party_id/:cdr_id', async (req, res) => {
    const ref = { countryCode: String(req.params.country_code).toUpperCase(), partyId: String(req.params.party_id).toUpperCase(), id: String(req.params.cdr_id) };
    if (!roleOf(partyOf(res).roles, ref)) throw new OcpiError(2001, `${ref.countryCode}/${ref.partyId} is not a party you registered as`, 404);
    const cdr = await handlers.get(ref);
    if (cdr === undefined) throw new OcpiError(2001, `unknown CDR ${ref.id}`, 404);
    if (versionOf(req) !== '2.1.1') {
      res.json(envelope(cdr, new Date()));
      return;
    }
    const down = cdr221To211(cdr, { location: await options.locationOf?.({ countryCode: ref.countryCode, partyId: ref.partyId, locationId: cdr.cdr_location.id }) });
    if (down.value === undefined) throw new OcpiError(3000, `this CDR cannot be written in OCPI 2.1.1: ${down.findings.map((f) => f.message).join('; ')}`);
    res.json(envelope(down.value, new Date()));
  });
  return router;
}

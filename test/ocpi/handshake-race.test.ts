/**
 * A peer may call with our token as soon as it has answered our credentials POST, before the bridge
 * has stored it as registered (src/ocpi/registration.ts `settled`): such a request waits for the
 * handshake in flight and is checked as it leaves the party, instead of a 401 "not registered" the
 * peer would take as final (the storm test's first location PUT was lost that way).
 */
import express from 'express';
import request from 'supertest';
import { authenticate, registeredPeer } from '../../src/ocpi/authentication';
import type { OcpiModule } from '../../src/ocpi/endpoints';
import { routeKit } from '../../src/ocpi/route-kit';
import type { OcpiParty, TokenRepository } from '../../src/store/credentials';

const party = (state: OcpiParty['state']): OcpiParty => ({
  id: 'backend',
  state,
  version: '2.2.1',
  versionsUrl: 'http://backend/ocpi/versions',
  roles: [{ role: 'CPO', countryCode: 'NL', partyId: 'CPO' }],
  endpoints: [],
  outboundToken: 'theirs',
  createdAt: 0,
  updatedAt: 0,
});

function app(holder: OcpiParty, settled: () => Promise<OcpiParty | undefined> | undefined) {
  const tokens = { verify: (token: string) => Promise.resolve(token === 'tok' ? { party: 'backend', purpose: 'access', holder } : undefined) } as unknown as TokenRepository;
  const kit = routeKit(['2.2.1'], () => 'http://bridge', () => new Date(0));
  const router = express.Router();
  router.get('/', (_req, res) => kit.send(res, 'in'));
  const module: OcpiModule = { identifier: 'locations', role: 'RECEIVER', versions: ['2.2.1'], router };
  const served = express();
  served.use(authenticate(tokens));
  served.use('/ocpi/:version/locations', registeredPeer(module, kit, [{ role: 'EMSP', countryCode: 'DE', partyId: 'BRG' }], { settled }), router);
  served.use((err: { httpStatus?: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.httpStatus ?? 500).json({ message: err.message });
  });
  return served;
}

const call = (served: express.Express) => request(served).get('/ocpi/2.2.1/locations').set('Authorization', `Token ${Buffer.from('tok').toString('base64')}`);

describe('a request arriving while our registration with its party is in flight', () => {
  it('waits for the handshake and is let in once it stored the party as registered', async () => {
    let finish: (p: OcpiParty) => void = () => undefined;
    const handshake = new Promise<OcpiParty | undefined>((resolve) => (finish = resolve));
    const answer = call(app(party('offered'), () => handshake)).then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 50));
    finish(party('registered'));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body.data).toBe('in');
  });

  it('is refused as not registered when the handshake failed', async () => {
    const res = await call(app(party('offered'), () => Promise.resolve(undefined)));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('not registered');
  });

  it('is refused at once when no handshake with the party is in flight', async () => {
    const res = await call(app(party('offered'), () => undefined));
    expect(res.status).toBe(401);
  });

  it('does not wait for anything when the party is registered', async () => {
    const res = await call(
      app(party('registered'), () => {
        throw new Error('not asked');
      }),
    );
    expect(res.status).toBe(200);
  });
});

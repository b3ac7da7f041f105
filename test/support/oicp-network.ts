import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import express from 'express';
import { createLogger, type Logger } from '../../src/observability/logger';
import { OicpClient, type OicpClientOptions } from '../../src/oicp/client';
import { servedOperations, type OicpRole } from '../../src/oicp/wire/operations';
import { oicpRouter, requireClientCertificate, type OicpHandlers, type OicpWire } from '../../src/oicp/router';
import { startServer, type RunningServer } from '../../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../../src/simulator/hubject';
import { makeTestPki, type TestPki } from './certs';

export const CPO_ID = 'DE*ABC';
export const EMP_ID = 'DE-DCB';

export function quietLogger(): Logger {
  return createLogger({ level: 'error', format: 'json' }, new Writable({ write: (_chunk, _encoding, done) => done() }));
}

export interface Partner {
  role: OicpRole;
  client: OicpClient;
  /** What Hubject forwarded to this partner, set per test. */
  handlers: OicpHandlers;
  server: RunningServer;
}

export interface OicpNetwork {
  pki: TestPki;
  hub: HubjectSimulator;
  hubServer: RunningServer;
  cpo: Partner;
  emp: Partner;
  /** A client of the hub with other credentials or options, closed with the network. */
  client(options: Partial<OicpClientOptions> & Pick<OicpClientOptions, 'as'>, certificate?: { cert: string; key: string }): OicpClient;
  close(): Promise<void>;
}

const tlsServer = (pki: TestPki) => ({ host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestClientCert: true } });

/**
 * A Hubject simulator with a CPO and an EMP partner around it, all over HTTPS with mutual TLS:
 * certificates are made for the run; partners serve their OICP routes with handlers a test sets.
 * Every client and every hub-to-partner call speaks `wire`.
 */
export async function startOicpNetwork(wire: OicpWire = 'rest'): Promise<OicpNetwork> {
  const pki = makeTestPki();
  const logger = quietLogger();
  const material = (files: { cert: string; key: string }) => ({ cert: readFileSync(files.cert), key: readFileSync(files.key), ca: readFileSync(pki.ca) });
  const hubIdentity = pki.issueClient('hubject', 'Hubject');
  const clients: OicpClient[] = [];

  async function partner(role: OicpRole, id: string): Promise<Omit<Partner, 'client'>> {
    const handlers: OicpHandlers = {};
    const app = express();
    app.use(
      oicpRouter({
        serves: servedOperations(role),
        // The router looks handlers up per call, so a test sets them on this object after start.
        handlers,
        authorize: requireClientCertificate,
        bodyLimit: '1mb',
        operatorIds: role === 'CPO' ? [id] : [],
        logger,
      }),
    );
    return { role, handlers, server: await startServer(app, tlsServer(pki)) };
  }

  const cpoSide = await partner('CPO', CPO_ID);
  const empSide = await partner('EMP', EMP_ID);
  const hub = createHubjectSimulator({
    logger,
    requireCertificates: true,
    tls: material(hubIdentity),
    partners: [
      { role: 'CPO', id: CPO_ID, url: cpoSide.server.url, wire },
      { role: 'EMP', id: EMP_ID, url: empSide.server.url, wire },
    ],
  });
  const hubServer = await startServer(hub.app, tlsServer(pki));
  const client = (options: Partial<OicpClientOptions> & Pick<OicpClientOptions, 'as'>, certificate = { cert: pki.clientCert, key: pki.clientKey }) => {
    const made = new OicpClient({ baseUrl: hubServer.url, tls: material(certificate), wire, logger, ...options });
    clients.push(made);
    return made;
  };
  const cpo: Partner = { ...cpoSide, client: client({ as: 'CPO', partyId: CPO_ID }) };
  const emp: Partner = { ...empSide, client: client({ as: 'EMP', partyId: EMP_ID }, pki.issueClient('emp', EMP_ID)) };
  return {
    pki,
    hub,
    hubServer,
    cpo,
    emp,
    client,
    close: async () => {
      clients.forEach((c) => c.close());
      hub.close();
      await Promise.all([hubServer.close(), cpo.server.close(), emp.server.close()]);
    },
  };
}

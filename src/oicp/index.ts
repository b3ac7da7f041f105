/**
 * The bridge's OICP side built from its configuration: the client toward Hubject and the routes
 * Hubject calls. What the routes do with a call is the flows' business (handlers).
 */
import { readFileSync } from 'node:fs';
import type { Router } from 'express';
import { HUBJECT_BASE_URLS, oicpIdentity, type BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { traceEvent, type TraceSink } from '../core/trace-context';
import { OicpClient } from './client';
import { servedOperations } from './wire/operations';
import { oicpRouter, requireClientCertificate, trustTerminatingProxy, type OicpAuthorizer, type OicpHandlers } from './router';
import { OicpRefusal } from './wire/status-codes';
import { byteSize } from './wire/limits';
import type { SoapRelease } from './wire/soap-services';

export function hubjectBaseUrl(oicp: BridgeConfig['oicp']): string {
  return oicp.environment === 'custom' ? oicp.baseUrl! : HUBJECT_BASE_URLS[oicp.environment];
}

export function oicpClientFromConfig(config: BridgeConfig, logger: Logger, trace?: TraceSink): OicpClient {
  const { oicp } = config;
  const tls = oicp.tls && { cert: readFileSync(oicp.tls.cert), key: readFileSync(oicp.tls.key), ca: oicp.tls.ca ? readFileSync(oicp.tls.ca) : undefined, passphrase: oicp.tls.passphrase };
  return new OicpClient({
    baseUrl: hubjectBaseUrl(oicp),
    as: oicp.role,
    partyId: oicpIdentity(oicp) || undefined,
    tls,
    timeoutsMs: oicp.timeoutsMs,
    keepAliveMs: oicp.keepAliveMs,
    ...soapOf(oicp.protocol),
    maxBulkResponseBytes: byteSize(oicp.bulkBodyLimit),
    logger,
    trace,
  });
}

/** The wire and, for SOAP, the 2.x release a `protocol` setting names (`soap-2.1`). */
function soapOf(protocol: BridgeConfig['oicp']['protocol']): { wire: 'rest' } | { wire: 'soap'; soapRelease: SoapRelease } {
  return protocol === 'rest-2.3' ? { wire: 'rest' } : { wire: 'soap', soapRelease: protocol.slice('soap-'.length) as SoapRelease };
}

/** The configured caller check; with a list of names, only certificates bearing one of them pass. */
function authorizerFor(inbound: BridgeConfig['oicp']['inbound']): OicpAuthorizer {
  if (inbound.callerCheck === 'trusted-network') return trustTerminatingProxy;
  const names = inbound.allowedCommonNames;
  return (caller, operation, partyId) =>
    requireClientCertificate(caller, operation, partyId) ??
    (names && !names.includes(caller.commonName ?? '') ? new OicpRefusal('017', `certificate ${caller.commonName ?? '(no CN)'} may not call this bridge`, 403) : undefined);
}

export function oicpRoutesFromConfig(config: BridgeConfig, handlers: OicpHandlers, logger: Logger, trace?: TraceSink): Router {
  const { oicp } = config;
  if (oicp.inbound.callerCheck === 'client-certificate' && !config.server.tls?.requestClientCert) {
    logger.warn('oicp.inbound.callerCheck is client-certificate but server.tls.requestClientCert is off: every call from Hubject will be refused with 017');
  }
  return oicpRouter({
    serves: servedOperations(oicp.role),
    handlers,
    authorize: authorizerFor(oicp.inbound),
    bodyLimit: config.server.bodyLimit,
    bulkBodyLimit: oicp.bulkBodyLimit,
    operatorIds: oicp.role === 'CPO' && oicp.operatorId ? [oicp.operatorId] : [],
    // Hubject's calls into the exchange trace, in their canonical (2.3) form whatever the wire.
    onExchange:
      trace &&
      ((exchange) =>
        traceEvent(trace, {
          protocol: 'oicp',
          direction: 'in',
          kind: 'call',
          name: exchange.operation,
          status: String((exchange.response as { StatusCode?: { Code?: string } } | null)?.StatusCode?.Code ?? exchange.httpStatus),
          request: exchange.request,
          response: exchange.response,
          note: exchange.wire === 'soap' ? 'received over SOAP' : undefined,
        })),
    logger,
  });
}

/**
 * Requests Node's HTTP parser refuses before Express sees them: headers or URL over
 * `maxHeaderSize` (16 KiB), a malformed request line or header, a request that took too long to
 * arrive. Node's own answer is a status line without a body; a peer's OCPI or OICP client then has
 * nothing to read. Here the answer is a JSON body in the terms of the protocol the request was
 * for, as far as the bytes Node kept (`rawPacket`) show its path: an OCPI envelope under `/ocpi`,
 * an eRoamingAcknowledgement (022) under the OICP REST paths, `{ error }` elsewhere. When the
 * request line is not among those bytes (large headers arriving in several packets), the OCPI
 * envelope is given: it is the protocol whose peers send arbitrary requests, and it is JSON for
 * anyone else.
 */
import type { Duplex } from 'node:stream';
import { OICP_BASE_PATH } from '../oicp/wire/operations';
import { acknowledgement } from '../oicp/wire/status-codes';
import { envelope } from '../ocpi/wire/transport';

/** Node's parser errors as HTTP statuses, as Node itself maps them. */
const STATUS_OF: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};
const BAD_REQUEST: [number, string] = [400, 'Bad Request'];

const MESSAGES: Record<number, string> = {
  431: 'the request line and headers are too large',
  413: 'the chunk extensions are too large',
  408: 'the request did not arrive in time',
  400: 'the request is not valid HTTP',
};

/** The path of the request line at the start of `packet`, when it is there. */
function pathOf(packet: Buffer | undefined): string | undefined {
  const line = /^[A-Z]{1,16} (\/[^\s?]*)/.exec(packet?.subarray(0, 512).toString('latin1') ?? '');
  return line?.[1];
}

/** The full HTTP response (status line, headers, JSON body) for a request the parser refused with `code`. */
function clientErrorResponse(code: string | undefined, packet: Buffer | undefined, now = new Date()): string {
  const [status, reason] = STATUS_OF[code ?? ''] ?? BAD_REQUEST;
  return jsonResponse(status, reason, MESSAGES[status]!, pathOf(packet), now);
}

/** A closing HTTP response whose JSON body speaks the protocol of `path` (the OCPI envelope when unknown). */
function jsonResponse(status: number, reason: string, message: string, path: string | undefined, now = new Date()): string {
  const body =
    path === undefined || path === '/ocpi' || path.startsWith('/ocpi/')
      ? envelope(undefined, now, 2000, message)
      : path.startsWith(`${OICP_BASE_PATH}/`)
        ? acknowledgement('022', message)
        : { error: message };
  const json = JSON.stringify(body);
  return [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(json)}`, 'Connection: close', '', json].join('\r\n');
}

/** How long a refused connection may linger for the peer to read the answer before it is cut. */
const LINGER_MS = 2_000;

/**
 * The server's `clientError` listener. Answers only while nothing of a response was written on the
 * socket (as Node does: an answer in the middle of another would corrupt it), half-closes so the
 * answer reaches a peer that is still sending, and cuts the connection shortly after.
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  endWith(socket, clientErrorResponse(err.code, err.rawPacket));
}

function endWith(socket: Duplex, response: string): void {
  socket.end(response);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/**
 * The server's `connect` listener. The bridge is no proxy: a CONNECT is refused with 405 and a JSON
 * body (without a listener, Node closes such a connection without a word).
 */
export function refuseConnect(req: { url?: string }, socket: Duplex): void {
  endWith(socket, jsonResponse(405, 'Method Not Allowed', 'CONNECT is not served here', req.url?.startsWith('/') ? req.url.split('?')[0] : undefined));
}

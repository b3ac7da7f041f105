/**
 * `trace export`: an exchange from the trace as fixture files, in the layout of fixtures/ (one folder
 * per protocol and operation or module, `request-*` and `response-*` files, SOAP XML beside its JSON),
 * plus a manifest saying in which order what happened. A user records a partner's real messages once
 * and keeps them as regression tests (test/support/replay.ts runs them through the mappers). The
 * messages were redacted when the trace stored them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Finding } from '../core/findings';
import type { Store } from '../store';
import type { TraceEntry } from '../store/traces';

interface FixtureEvent {
  /** Position in the exchange, from 1: the files' number. */
  n: number;
  at: string;
  protocol: TraceEntry['protocol'];
  direction: TraceEntry['direction'];
  kind: TraceEntry['kind'];
  name: string;
  status: string | null;
  outboxId: number | null;
  note?: string;
  findings?: Finding[];
  /** The event's files, relative to the manifest. */
  files: string[];
}

export interface FixtureManifest {
  correlationId: string;
  events: FixtureEvent[];
}

interface FixtureFile {
  path: string;
  content: string;
}

/** The folder an event's messages go in: `oicp/ChargeDetailRecord`, `ocpi/cdrs`, `bridge/enqueued`. */
function folderOf(event: TraceEntry): string {
  if (event.protocol === 'oicp') return join('oicp', safe(event.name));
  if (event.protocol === 'ocpi') {
    // `POST /ocpi/2.2.1/cdrs/...`: the module after the version.
    const module = event.name.split(' ')[1]?.split('/')[3];
    return join('ocpi', safe(module ?? 'unknown'));
  }
  return join('bridge', safe(event.kind));
}

const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || '_';

/** A SOAP request is traced as its 2.3 JSON and the XML sent: both become files. */
function messageFiles(base: string, message: unknown): FixtureFile[] {
  const soap = message as { json?: unknown; xml?: unknown } | null;
  if (soap !== null && typeof soap === 'object' && typeof soap.xml === 'string' && 'json' in soap) {
    return [
      { path: `${base}.json`, content: `${JSON.stringify(soap.json, null, 2)}\n` },
      { path: `${base}.xml`, content: soap.xml },
    ];
  }
  return [{ path: `${base}.json`, content: `${JSON.stringify(message, null, 2)}\n` }];
}

/** The files of an exchange: each message of each event, and manifest.json. */
export function exchangeFixtures(correlationId: string, events: readonly TraceEntry[]): FixtureFile[] {
  const files: FixtureFile[] = [];
  const manifest: FixtureManifest = { correlationId, events: [] };
  events.forEach((event, index) => {
    const n = String(index + 1).padStart(2, '0');
    const folder = folderOf(event);
    const own = [
      ...(event.request === undefined ? [] : messageFiles(join(folder, `request-${n}`), event.request)),
      ...(event.response === undefined ? [] : messageFiles(join(folder, `response-${n}`), event.response)),
    ];
    files.push(...own);
    manifest.events.push({
      n: index + 1,
      at: new Date(event.at).toISOString(),
      protocol: event.protocol,
      direction: event.direction,
      kind: event.kind,
      name: event.name,
      status: event.status,
      outboxId: event.outboxId,
      ...(event.note !== undefined && { note: event.note }),
      ...(event.findings !== undefined && { findings: event.findings }),
      files: own.map((f) => f.path),
    });
  });
  return [{ path: 'manifest.json', content: `${JSON.stringify(manifest, null, 2)}\n` }, ...files];
}

/** Writes an exchange's fixtures under `dir`; the paths written, or undefined when the trace has no such exchange. */
export async function exportExchange(store: Pick<Store, 'traces'>, correlationId: string, dir: string): Promise<string[] | undefined> {
  const events = await store.traces.exchange(correlationId);
  if (events.length === 0) return undefined;
  return exchangeFixtures(correlationId, events).map((file) => {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
    return path;
  });
}

/**
 * The OCPI errata registry (src/ocpi/errata.ts): one case per entry, each driving the code the entry
 * names and showing the departure from the document's letter. The case table is typed by the
 * registry's ids, so an erratum without a test, or a test without an erratum, fails the typecheck.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { check } from '../../src/core/typebox';
import { location211To221, location221To211 } from '../../src/mapping/ocpi-211/locations';
import { ocpiSessionToNotification } from '../../src/mapping/session';
import { fitOcpiStrings } from '../../src/mapping/text-limits';
import { OcpiClient } from '../../src/ocpi/client';
import { OCPI_ERRATA } from '../../src/ocpi/errata';
import { ocpiErrors } from '../../src/ocpi/errors';
import { ocpiModuleRouter } from '../../src/ocpi/ids';
import { DateTime, Location, outboundSchema, type Location211 } from '../../src/ocpi/wire/schemas';
import { CdrLocation, SignedData, SignedValue, type Cdr, type Session } from '../../src/ocpi/wire/transaction-schemas';
import { OcpiError, authorizationHeader, defaultEncoding, envelope, knownVersion, presentedTokens, type OcpiStatusCode } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { quietLogger } from '../support/oicp-network';
import { describeErrata } from '../support/errata';

type Case = () => void | Promise<void>;

const NOW = new Date('2025-01-15T12:00:00Z');
const LOCATION = corpusJson('2.2.1', 'location_example.json') as Location;
const LOCATION_211 = corpusJson('2.1.1', 'location_example.json') as Location211;
const invalidPaths = (schema: Parameters<typeof check>[0], value: unknown) => check(schema, value).findings.map((f) => f.path);
const lossesAt = (findings: { kind: string; path: string }[]) => findings.filter((f) => f.kind === 'loss').map((f) => f.path);

/** An OCMF container longer than the release's 512 characters of plain_data. */
const OCMF = `OCMF|{"FV":"1.0","GI":"ABL SBC-301","GS":"808829900001","RD":[${Array.from({ length: 8 }, (_, i) => `{"TM":"2015-06-29T21:39:0${i},000+0000 S","TX":"T","RV":${i}.5,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}`).join(',')}]}|{"SD":"304502200E3F0C5A1F"}`;

/** An app whose routes refuse with `code` at `/ocpi/{version}/refuse/{code}`, answered by the bridge's OCPI error handler. */
function refusingApp() {
  const app = express();
  app.get('/ocpi/:version/refuse/:code', (req, _res, next) => next(new OcpiError(Number(req.params.code) as OcpiStatusCode, 'refused', 404)));
  app.use(ocpiErrors(quietLogger(), () => NOW));
  return app;
}

/** A module route with ids in its path, on the bridge's module router and OCPI error handler. */
function moduleApp() {
  const app = express();
  const locations = ocpiModuleRouter();
  locations.get('/:country_code/:party_id/:location_id', (_req, res) => {
    res.json(envelope(undefined, NOW));
  });
  app.use('/ocpi/:version/locations', locations);
  app.use(ocpiErrors(quietLogger(), () => NOW));
  return app;
}

const CASES: Record<(typeof OCPI_ERRATA)[number]['id'], Case> = {
  'location-address-length': () => {
    const long = { ...LOCATION, address: `${'Rooseveltlaan '.repeat(14)}3A`.slice(0, 200) };
    expect(check(Location, long).findings).toEqual([]);
    expect(invalidPaths(Location, { ...LOCATION, address: 'A'.repeat(256) })).toEqual(['address']);
    const written = fitOcpiStrings(Location, long, '2.2.1');
    expect(written.value.address).toBe(long.address.slice(0, 45));
    expect(lossesAt(written.findings)).toEqual(['address']);
    // A CdrLocation copies its Location's address, so it is read by the raised length too and written by 45.
    const cdrLocation = { ...(corpusJson('2.2.1', 'cdr_example.json') as Cdr).cdr_location, address: long.address };
    expect(check(CdrLocation, cdrLocation).findings).toEqual([]);
    expect(fitOcpiStrings(CdrLocation, cdrLocation, '2.2.1').value.address).toHaveLength(45);
  },

  'location-state-length': () => {
    const state = 'Brussels-Capital Region / Région de Bruxelles';
    expect(state).toHaveLength(45);
    expect(check(Location, { ...LOCATION, state }).findings).toEqual([]);
    expect(invalidPaths(Location, { ...LOCATION, state: `${state}x` })).toEqual(['state']);
    const written = fitOcpiStrings(Location, { ...LOCATION, state }, '2.2.1');
    expect(written.value.state).toBe(state.slice(0, 20));
    expect(lossesAt(written.findings)).toEqual(['state']);
  },

  'signed-value-plain-data-length': () => {
    expect(OCMF.length).toBeGreaterThan(512);
    const signed: SignedData = { encoding_method: 'OCMF', signed_values: [{ nature: 'End', plain_data: OCMF, signed_data: OCMF }] };
    expect(check(SignedData, signed).findings).toEqual([]);
    expect(invalidPaths(SignedValue, { nature: 'End', plain_data: 'x'.repeat(5001), signed_data: 'x' })).toEqual(['plain_data']);
    const written = fitOcpiStrings(SignedData, signed, '2.2.1');
    expect(written.value.signed_values[0]).toEqual({ nature: 'End', plain_data: OCMF.slice(0, 512), signed_data: OCMF });
    expect(lossesAt(written.findings)).toEqual(['signed_values[0].plain_data']);
  },

  'status-codes-for-2-1-1': async () => {
    const app = refusingApp();
    const answer = async (version: string, code: number) => {
      const res = await request(app).get(`/ocpi/${version}/refuse/${code}`);
      return [res.status, (res.body as { status_code: number }).status_code];
    };
    expect(await answer('2.2.1', 2004)).toEqual([404, 2004]);
    expect(await answer('2.1.1', 2004)).toEqual([404, 2000]);
    expect(await answer('2.2.1', 4001)).toEqual([404, 4001]);
    expect(await answer('2.1.1', 4001)).toEqual([404, 3000]);
    // Codes 2.1.1 has pass unchanged.
    expect(await answer('2.1.1', 2003)).toEqual([404, 2003]);
  },

  'token-either-encoding': async () => {
    const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    // Read: as written, and Base64-decoded without the examples' echo newline.
    expect(presentedTokens('Token example-token')).toContain('example-token');
    expect(presentedTokens('Token ZXhhbXBsZS10b2tlbgo=')).toContain('example-token');
    expect(presentedTokens(`Token ${base64('example-token')}`)).toContain('example-token');
    // Written: plain to 2.1.1, Base64 to 2.2.1, and the other form once on a 401.
    expect([defaultEncoding('2.1.1'), defaultEncoding('2.2.1')]).toEqual(['plain', 'base64']);
    const seen: (string | undefined)[] = [];
    const app = express();
    app.get('/ocpi/versions', (req, res) => {
      seen.push(req.get('authorization'));
      if (req.get('authorization') === authorizationHeader('tok-1', 'base64')) res.json(envelope([], NOW));
      else res.status(401).json(envelope(undefined, NOW, 2000, 'unknown token'));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocpi/versions`;
      const answer = await new OcpiClient({ logger: quietLogger() }).call({ method: 'GET', url, token: 'tok-1', encoding: 'plain' });
      expect(answer.ok).toBe(true);
      expect(seen).toEqual(['Token tok-1', `Token ${base64('tok-1')}`]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  },

  'datetime-read-leniently': () => {
    for (const lenient of ['2015-06-29T20:39:09+00:00', '2015-06-29T20:39:09.123456Z', '2015-06-29T20:39:09.12-00:00']) {
      expect([lenient, check(DateTime, lenient).findings]).toEqual([lenient, []]);
      expect([lenient, check(outboundSchema(DateTime, '2.2.1'), lenient).findings]).not.toEqual([lenient, []]);
    }
    expect(invalidPaths(DateTime, '2015-06-29T20:39:09+02:00')).toEqual(['(document)']);
    // What the bridge writes is the strict form.
    for (const strict of ['2015-06-29T20:39:09Z', '2015-06-29T20:39:09.123Z']) expect(check(outboundSchema(DateTime, '2.2.1'), strict).findings).toEqual([]);
    expect(check(outboundSchema(DateTime, '2.1.1'), '2015-06-29T20:39:09.123Z').findings).not.toEqual([]);
  },

  'text-characters-read-leniently': () => {
    const accented = { ...LOCATION_211, name: 'Gent Zuid, Malmö', address: 'F.Rooseveltlaan\t3A' };
    const up = location211To221(accented, { party: { countryCode: 'BE', partyId: 'BEC' } });
    expect(up.findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(up.value).toMatchObject({ name: 'Gent Zuid, Malmö', address: 'F.Rooseveltlaan\t3A' });
    const down = location221To211(up.value);
    expect(down.value?.name).toBe('Gent Zuid, Malmo');
    expect(down.value?.address).toBe('F.Rooseveltlaan 3A');
    expect(lossesAt(down.findings)).toEqual(expect.arrayContaining(['name', 'address']));
    const written = fitOcpiStrings(Location, { ...LOCATION, name: 'Gent\nZuid' }, '2.2.1');
    expect([written.value.name, lossesAt(written.findings)]).toEqual(['Gent Zuid', ['name']]);
  },

  'coordinates-2-1-1-decimals': () => {
    const fiveDecimals = { ...LOCATION_211, coordinates: { latitude: '51.04759', longitude: '3.72994' } };
    const up = location211To221(fiveDecimals, { party: { countryCode: 'BE', partyId: 'BEC' } });
    expect(up.findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(up.value?.coordinates).toEqual({ latitude: '51.04759', longitude: '3.72994' });
    const down = location221To211({ ...LOCATION, coordinates: { latitude: '51.0475991', longitude: '3.72994' } });
    expect(down.value?.coordinates).toEqual({ latitude: '51.047599', longitude: '3.729940' });
  },

  'version-2-1-is-2-1-1': () => {
    expect(knownVersion('2.1')).toBe('2.1.1');
    expect(knownVersion('2.1.1')).toBe('2.1.1');
    expect(knownVersion('2.0')).toBeUndefined();
    expect(knownVersion('2.2')).toBeUndefined();
  },

  'session-energy-in-wh': () => {
    const example = corpusJson('2.2.1', 'session_example_2_short_finished.json') as Session;
    const options = { sessionId: 'b2688855-7f00-0002-6d8e-48d883f6abb6', location: LOCATION };
    const inWh = ocpiSessionToNotification(example, options);
    expect(inWh.value).toMatchObject({ Type: 'End', ConsumedEnergy: 41.12 });
    expect(inWh.findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'charging_periods', message: expect.stringContaining('read as Wh') as string }));
    // Volumes in kWh, as the specification says, are read as they are.
    const inKwh = { ...example, charging_periods: example.charging_periods!.map((p) => ({ ...p, dimensions: p.dimensions.map((d) => (d.type === 'ENERGY' ? { ...d, volume: d.volume / 1000 } : d)) })) };
    expect(ocpiSessionToNotification(inKwh, options).findings.filter((f) => f.path === 'charging_periods')).toEqual([]);
  },

  'party-id-letters-and-digits': async () => {
    const app = moduleApp();
    expect((await request(app).get('/ocpi/2.2.1/locations/NL/AB1/LOC1')).status).toBe(200);
    const refused = await request(app).get('/ocpi/2.2.1/locations/NL/A-B/LOC1');
    expect([refused.status, refused.body.status_code]).toEqual([400, 2001]);
    expect(check(Location, { ...LOCATION, party_id: 'A1B' }).findings).toEqual([]);
    expect(invalidPaths(Location, { ...LOCATION, party_id: 'A-B' })).toEqual(['party_id']);
  },

  'http-400-for-malformed-ids': async () => {
    const app = moduleApp();
    for (const id of ['L'.repeat(37), 'LOC%0A1', 'LOC%00']) {
      const res = await request(app).get(`/ocpi/2.2.1/locations/NL/ABC/${id}`);
      expect([id, res.status, res.body.status_code]).toEqual([id, 400, 2001]);
    }
    // 2.1.1 allows 39 characters for a location id.
    expect((await request(app).get(`/ocpi/2.1.1/locations/NL/ABC/${'L'.repeat(37)}`)).status).toBe(200);
  },
};

describeErrata('OCPI errata registry', OCPI_ERRATA, CASES);

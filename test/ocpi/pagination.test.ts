/**
 * OCPI pagination both ways: the server reads the query strictly and writes the headers the spec
 * asks for; the client follows them page by page, whatever the edges (exact multiple of the
 * limit, a capped limit, empty lists, relative links, links that loop, a page that fails).
 */
import express from 'express';
import { OcpiCallError, OcpiClient } from '../../src/ocpi/client';
import { inWindow, nextLink, pageHeaders, pageOf, readPageQuery, type PageQuery } from '../../src/ocpi/pagination';
import { envelope, type OcpiError } from '../../src/ocpi/wire/transport';
import { startServer, type RunningServer } from '../../src/server';
import { quietLogger } from '../support/oicp-network';

describe('the server side', () => {
  it('reads offset, limit and the date window, capping the limit', () => {
    expect(readPageQuery({}, 50)).toEqual({ offset: 0, limit: 50, dateFrom: undefined, dateTo: undefined });
    expect(readPageQuery({ offset: '10', limit: '500', date_from: '2026-01-01T00:00:00Z', date_to: '2026-02-01T00:00:00' }, 50)).toEqual({
      offset: 10,
      limit: 50,
      dateFrom: new Date('2026-01-01T00:00:00Z'),
      // No designator is UTC in OCPI.
      dateTo: new Date('2026-02-01T00:00:00Z'),
    });
  });

  it.each([
    [{ offset: '-1' }, /offset must be a whole number/],
    [{ limit: '0' }, /limit must be a whole number of at least 1/],
    [{ limit: 'ten' }, /limit/],
    [{ date_from: 'yesterday' }, /date_from must be an OCPI DateTime/],
    [{ date_to: '2026-01-01' }, /date_to/],
  ])('refuses %j with 2001', (query, message) => {
    expect(() => readPageQuery(query, 50)).toThrow(message);
    try {
      readPageQuery(query, 50);
    } catch (err) {
      expect((err as OcpiError).code).toBe(2001);
    }
  });

  it('requires date_from where the module does (Sessions)', () => {
    expect(() => readPageQuery({}, 50, true)).toThrow(/date_from is required/);
  });

  it('filters last_updated with date_from inclusive and date_to exclusive', () => {
    const window = { dateFrom: new Date('2026-01-01T00:00:00Z'), dateTo: new Date('2026-01-02T00:00:00Z') };
    expect(['2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z', '2026-01-01T23:59:59', '2026-01-02T00:00:00Z'].map((t) => inWindow(t, window))).toEqual([false, true, true, false]);
  });

  it('links the next page with every filter repeated, and not from the last page', () => {
    const url = new URL('https://bridge.test/ocpi/2.2.1/locations?date_from=2026-01-01T00:00:00Z&limit=500');
    const query: PageQuery = { offset: 0, limit: 2, dateFrom: new Date('2026-01-01T00:00:00Z') };
    const items = ['a', 'b', 'c', 'd'];
    expect(pageHeaders(url, query, pageOf(items, query))).toEqual({
      'X-Total-Count': '4',
      'X-Limit': '2',
      Link: '<https://bridge.test/ocpi/2.2.1/locations?date_from=2026-01-01T00%3A00%3A00Z&limit=2&offset=2>; rel="next"',
    });
    const last = { ...query, offset: 2 };
    expect(pageHeaders(url, last, pageOf(items, last))).toEqual({ 'X-Total-Count': '4', 'X-Limit': '2' });
    expect(pageHeaders(url, query, pageOf([], query))).toEqual({ 'X-Total-Count': '0', 'X-Limit': '2' });
  });

  it('finds rel="next" among several links', () => {
    expect(nextLink('<https://a/prev>; rel="prev", <https://a/next?offset=2>; rel="next"')).toBe('https://a/next?offset=2');
    expect(nextLink('<https://a/x>; rel=next')).toBe('https://a/x');
    expect(nextLink(null)).toBeUndefined();
  });
});

describe('the client side, against a paginating server', () => {
  let server: RunningServer;
  const requests: string[] = [];
  const objects = Array.from({ length: 7 }, (_, i) => ({ id: `L${i}`, last_updated: `2026-01-0${i + 1}T00:00:00Z` }));
  beforeAll(async () => {
    const app = express();
    app.get('/locations', (req, res) => {
      requests.push(req.originalUrl);
      const query = readPageQuery(req.query, 3);
      const page = pageOf(objects.filter((o) => inWindow(o.last_updated, query)), query);
      res.set(pageHeaders(new URL(req.originalUrl, `http://${req.get('host')}`), query, page)).json(envelope(page.items, new Date()));
    });
    app.get('/relative', (req, res) => {
      const offset = Number(req.query.offset ?? 0);
      res.set(offset < 2 ? { Link: `</relative?offset=${offset + 1}>; rel="next"` } : {}).json(envelope([offset], new Date()));
    });
    app.get('/loop', (_req, res) => res.set('Link', '</loop>; rel="next"').json(envelope([1], new Date())));
    app.get('/breaks', (req, res) => {
      if (req.query.offset === undefined) res.set('Link', '</breaks?offset=1>; rel="next"').json(envelope(['first'], new Date()));
      else res.status(500).send('down');
    });
    server = await startServer(app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  });
  afterAll(async () => {
    await server.close();
  });

  const client = new OcpiClient({ logger: quietLogger(), retryDelayMs: 1 });
  const all = async <T>(items: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  };
  const list = (path: string, filter = {}) => client.list<{ id: string }>({ url: `${server.url}${path}`, token: 't', encoding: 'plain' }, filter);

  it('follows the pages to the end, with the server’s cap on the limit', async () => {
    requests.length = 0;
    expect((await all(list('/locations', { limit: 100 }))).map((o) => o.id)).toEqual(['L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
    expect(requests).toEqual(['/locations?limit=100', '/locations?limit=3&offset=3', '/locations?limit=3&offset=6']);
  });

  it('carries the date window to every page', async () => {
    requests.length = 0;
    const window = await all(list('/locations', { dateFrom: new Date('2026-01-02T00:00:00Z'), dateTo: new Date('2026-01-06T00:00:00Z') }));
    expect(window.map((o) => o.id)).toEqual(['L1', 'L2', 'L3', 'L4']);
    expect(requests[1]).toContain('date_from=2026-01-02T00%3A00%3A00Z&date_to=2026-01-06T00%3A00%3A00Z');
  });

  it('resolves relative links, and stops on links that go round in circles', async () => {
    expect(await all(list('/relative'))).toEqual([0, 1, 2]);
    await expect(all(list('/loop'))).rejects.toThrow(/does not end/);
  });

  it('throws the typed failure of a page that fails, after the items already read', async () => {
    const seen: unknown[] = [];
    const failure = await (async () => {
      try {
        for await (const item of list('/breaks')) seen.push(item);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(seen).toEqual(['first']);
    expect(failure).toBeInstanceOf(OcpiCallError);
    expect((failure as OcpiCallError).failure).toEqual({ kind: 'http', httpStatus: 500, message: 'HTTP 500' });
  });
});

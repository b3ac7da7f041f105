/**
 * PostgreSQL runs the bridge's statements with parameters as named prepared statements, so a hot
 * text (a CDR's accept) is parsed and planned once per connection; texts without parameters (the
 * migrations, several statements in one) go by the simple protocol as before.
 */
import { BACKENDS, withRaw, type StoreSite } from '../support/stores';

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

(postgres.available ? describe : describe.skip)('PostgreSQL statements', () => {
  let site: StoreSite;
  beforeEach(() => {
    site = postgres.site();
  });
  afterEach(async () => {
    await site.destroy();
  });

  it('prepares a text with parameters once on its connection and runs it again by name', async () => {
    await withRaw(site, async (db) => {
      // One connection (the raw database's pool holds one): what it prepared is in its own view.
      const text = 'SELECT $1::int + 1 AS n /* postgres-prepared test */';
      expect(await db.all(text, [1])).toEqual([{ n: 2 }]);
      expect(await db.all(text, [41])).toEqual([{ n: 42 }]);
      const prepared = await db.all<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE statement LIKE $1`, ['%postgres-prepared test%']);
      expect(prepared.map((p) => p.statement)).toEqual([text]);
    });
  });

  it('runs texts without parameters by the simple protocol: the migrations, several statements in one', async () => {
    const store = await site.open();
    await store.close();
    await withRaw(site, async (db) => {
      await db.run(`CREATE TABLE prepared_probe (n INT); INSERT INTO prepared_probe VALUES (7)`);
      expect(await db.all('SELECT n FROM prepared_probe WHERE n = $1', [7])).toEqual([{ n: 7 }]);
    });
  });
});

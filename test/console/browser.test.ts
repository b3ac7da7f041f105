/**
 * The operator console in a real browser (issue 23): Debian's Chromium (/usr/bin/chromium, which
 * .ci/run installs) driven by playwright-core, against the CPO scene where one CDR reached Hubject
 * and one was refused for good. The operator opens the overview, finds the CDR exchange by its
 * SessionID, sees the OCPI and the OICP message side by side with a finding, and requeues the dead
 * letter until it is delivered. A screenshot per scenario goes to test-output/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import { type CpoScene, postAuthorizedCdr, startCpoScene, until } from '../support/cpo-scene';
import { ADMIN_TOKEN, admin } from '../support/admin';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output');
const CARD = 'AABBCCDD';

// Under CI the browser is installed (.ci/run): its absence is a failure there, a skip elsewhere.
const available = existsSync(CHROMIUM) || process.env.CI === 'true';
const describeBrowser = available ? describe : describe.skip;

describeBrowser(`operator console in Chromium${available ? '' : ` (SKIPPED: no ${CHROMIUM})`}`, () => {
  let scene: CpoScene;
  let peer: OcpiPeer;
  let browser: Browser;
  let page: Page;
  let delivered: string;
  let refused: string;
  let deadId: number;

  /** A CDR of a session Hubject authorized, posted by the backend; its SessionID. */
  const postCdr = (id: string) => postAuthorizedCdr(peer, CARD, id);

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    scene = await startCpoScene('rest-2.3', { config: { admin: { port: 0, token: ADMIN_TOKEN } } });
    peer = await scene.withCard(CARD);
    delivered = await postCdr('CDR-B1');
    await until('the first CDR reached Hubject', () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').some((c) => c.SessionID === delivered));
    scene.hub.failNext('ChargeDetailRecord', '022');
    refused = await postCdr('CDR-B2');
    for (let tries = 0; tries < 200 && deadId === undefined; tries++) {
      const dead = (await admin(scene.bridge.adminUrl!, 'GET', '/admin/outbox?state=dead')).body as { items: { id: number; payload: { SessionID?: string } }[] };
      deadId = dead.items.find((item) => item.payload.SessionID === refused)?.id as number;
      if (deadId === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await scene?.close();
  });

  it('opens the overview with the token', async () => {
    await page.goto(scene.bridge.adminUrl!);
    await expectText(page.getByRole('heading', { level: 2, name: 'Overview' }), 'Overview');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await expectText(page.getByRole('status'), 'Connected.');
    const parties = page.getByRole('table', { name: 'OCPI parties' });
    await expectText(parties, 'registered');
    await expectText(page.locator('#overview-body'), 'CPO BE*BEC');
    await expectText(page.getByRole('table', { name: /^Outbox/ }), 'oicp:ChargeDetailRecord');
    await page.screenshot({ path: join(OUTPUT, 'console-overview.png'), fullPage: true });
  }, 30_000);

  it('finds the CDR exchange by its SessionID and shows both sides with a finding', async () => {
    await page.getByLabel(/^Find by id/).fill(delivered);
    await page.getByRole('button', { name: 'Search' }).click();
    // The session's authorization (AuthorizeStart answered with the SessionID) and its CDR.
    await expectText(page.locator('#results-title'), `Exchanges carrying ${delivered} (2)`);
    await expectText(page.locator('#results'), 'authorize');
    await page.locator('#results button', { hasText: 'POST /ocpi/2.2.1/cdrs' }).click();
    await expectText(page.locator('#exchange-title'), 'Exchange ');
    const ocpi = page.getByRole('region', { name: 'OCPI side' });
    const oicp = page.getByRole('region', { name: 'OICP side' });
    const bridge = page.getByRole('region', { name: /^Bridge/ });
    await expectText(ocpi, 'POST /ocpi/2.2.1/cdrs');
    await expectText(ocpi, '"id": "CDR-B1"');
    await expectText(oicp, 'ChargeDetailRecord → 200');
    await expectText(oicp, `"SessionID": "${delivered}"`);
    await expectText(bridge, 'delivered');
    const findings = bridge.getByRole('list', { name: 'Findings' }).getByRole('listitem');
    expect(await findings.count()).toBeGreaterThan(0);
    await page.locator('#exchange').screenshot({ path: join(OUTPUT, 'console-exchange.png') });
  }, 30_000);

  it('requeues the dead letter and sees it delivered', async () => {
    const held = page.getByRole('region', { name: 'Held items' });
    await held.scrollIntoViewIfNeeded();
    await expectText(held, 'OICP 022');
    await page.screenshot({ path: join(OUTPUT, 'console-held.png'), fullPage: true });
    await held.getByRole('button', { name: `Requeue item ${deadId}` }).click();
    await expectText(page.getByRole('status'), `item ${deadId} requeued`);
    await until('the requeued CDR reached Hubject', () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').some((c) => c.SessionID === refused));

    // The exchange of the refused CDR now ends with its delivery: search until the trace has it.
    const bridge = page.getByRole('region', { name: /^Bridge/ });
    for (let tries = 0; tries < 50; tries++) {
      await page.getByLabel(/^Find by id/).fill(refused);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('#results button', { hasText: 'POST /ocpi/2.2.1/cdrs' }).click();
      if ((await bridge.textContent())?.includes('→ delivered')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expectText(bridge, '→ dead');
    await expectText(bridge, '→ delivered');
    await expectText(page.getByRole('region', { name: 'OICP side' }), 'ChargeDetailRecord → 022');
    await page.locator('#exchange').screenshot({ path: join(OUTPUT, 'console-requeued.png') });
  }, 30_000);
});

/** Waits (up to 5 s) until the element's text contains `text`; fails with what it shows instead. */
async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  let seen = '';
  for (const started = Date.now(); Date.now() - started < 5_000; ) {
    seen = (await locator.first().textContent({ timeout: 5_000 })) ?? '';
    if (seen.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`expected "${text}" in: ${seen.slice(0, 500)}`);
}

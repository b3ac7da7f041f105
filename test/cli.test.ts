import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { loadConfigFile } from '../src/config/load';
import { openStore } from '../src/store';
import { captured } from './support/io';
import { CLI, freePort, runTs } from './support/child';

const REPO = join(__dirname, '..');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;


describe('command line', () => {
  it('prints its version and help', async () => {
    const io = captured();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toBe(`${PACKAGE_VERSION}\n`);
    const help = captured();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.out()).toMatch(/serve \[--config FILE\]/);
    expect(help.out()).toMatch(/check-config FILE/);
  });

  it.each([
    [[], /Usage:/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['serve', '--port', 'eighty'], /--port must be a whole number/],
    [['serve', '--sandbox', '--config', 'x.yaml'], /exclude each other/],
    [['check-config'], /check-config takes exactly one FILE/],
    [['serve', '--colour'], /Unknown option '--colour'/],
  ])('answers usage mistakes %j with exit code 2', async (argv, message) => {
    const io = captured();
    expect(await main(argv, io)).toBe(2);
    expect(io.err() + io.out()).toMatch(message);
  });

  describe('dispatch', () => {
    const COMMANDS = ['serve', 'simulate', 'ocpi', 'outbox', 'trace', 'check-config', 'translate'];

    it.each(COMMANDS)('%s --help prints that command alone: its usage and every option it takes', async (name) => {
      const io = captured();
      expect(await main([name, '--help'], io)).toBe(0);
      const help = io.out();
      expect(help.startsWith(`Usage: ocpi-oicp-bridge ${name} [options]\n`)).toBe(true);
      expect(help).toMatch(/\n {2}-h, --help {4,}Show this help\.\n/);
      expect(help).toContain('Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.');
      // No other command's section: each synopsis line in the help starts with this command's name.
      for (const line of help.split('\n').filter((l) => /^ {2}[a-z]/.test(l))) expect(line).toMatch(new RegExp(`^ {2}${name} `));
      // Its section is the one the overall help shows.
      const overall = captured();
      await main(['--help'], overall);
      const section = help.slice(help.indexOf('\n\n') + 2, help.indexOf('\nOptions:\n'));
      expect(overall.out()).toContain(section);
      // `help NAME` is the same text.
      const named = captured();
      expect(await main(['help', name], named)).toBe(0);
      expect(named.out()).toBe(help);
    });

    it('lists the options of the command, with their values and what they do', async () => {
      const io = captured();
      await main(['serve', '-h'], io);
      expect(io.out()).toMatch(/\n {2}--hub-port N {4,}Sandbox mode: the Hubject simulator's port/);
      expect(io.out()).toMatch(/\n {2}--sandbox {4,}Sandbox mode even when/);
      expect(io.out()).not.toContain('--partner');
      const simulate = captured();
      await main(['simulate', '--help'], simulate);
      expect(simulate.out()).toMatch(/--partner ROLE:ID=URL {4,}.*\(repeatable\)\n/);
    });

    it.each([
      [['serve', '--partner', 'CPO:X=http://a'], 'serve does not take --partner: it is an option of simulate (see ocpi-oicp-bridge serve --help)'],
      [['translate', '--config', 'x.yaml', '--list'], 'translate does not take --config: it is an option of serve, ocpi, outbox'],
      [['outbox', 'list', '--sandbox'], 'outbox does not take --sandbox: it is an option of serve'],
      [['check-config', 'bridge.yaml', '--party', 'x'], 'check-config does not take --party: it is an option of ocpi, translate'],
      [['serve', '--version'], 'serve does not take --version: it is an option of ocpi-oicp-bridge itself'],
      [['--port', '0', 'serve'], '--port is an option of serve, simulate: it comes after the command'],
    ])('refuses %j, an option of another command, with exit code 2 and whose it is', async (argv, message) => {
      const io = captured();
      expect(await main(argv, io)).toBe(2);
      expect(io.err()).toContain(`ocpi-oicp-bridge: ${message}`);
      expect(io.out()).toBe('');
    });

    it('refuses an unknown command, and answers help without a command with the overall help', async () => {
      const unknown = captured();
      expect(await main(['sandbox'], unknown)).toBe(2);
      expect(unknown.err()).toMatch(/^ocpi-oicp-bridge: unknown command "sandbox"\n\nUsage: ocpi-oicp-bridge <command> \[options\]/);
      const help = captured();
      expect(await main(['help'], help)).toBe(0);
      const overall = captured();
      await main(['--help'], overall);
      expect(help.out()).toBe(overall.out());
    });
  });

  it('check-config accepts a good file and summarises it', async () => {
    const io = captured();
    expect(await main(['check-config', join(REPO, 'fixtures/config/emp-postgres.yaml')], io)).toBe(0);
    expect(io.out()).toContain('OK — OICP EMP NL-EMX over soap-2.2 to prod; OCPI NL*EMX 2.2.1; store PostgreSQL (schema bridge)');
  });

  it('check-config lists all three mistakes with their paths and exits 2 (the real binary)', async () => {
    const child = runTs(CLI, ['check-config', 'fixtures/config/three-mistakes.yaml']);
    const { code } = await child.exited;
    expect(code).toBe(2);
    const lines = child.output().trim().split('\n');
    expect(lines[0]).toBe('fixtures/config/three-mistakes.yaml: 3 configuration problem(s)');
    expect(lines.slice(1)).toEqual([
      '  server.port: must be <= 65535 (got 70000)',
      expect.stringMatching(/^ {2}oicp\.protocl: is not a known key/),
      '  log.level: must be one of "error", "warn", "info", "debug" (got "verbose")',
    ]);
  });

  describe('trace export', () => {
    it('writes a traced exchange as fixture files, and says when there is none', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bridge-trace-'));
      const file = join(dir, 'bridge.yaml');
      writeFileSync(file, readFileSync(join(REPO, 'bridge.example.yaml'), 'utf8').replace('path: ./data/bridge.sqlite', `path: ${join(dir, 'bridge.sqlite')}`));
      const config = loadConfigFile(file, {});
      const store = await openStore(config.store, config.outbox);
      const request = { country_code: 'NL', party_id: 'SIM', id: 'CDR-1' };
      await store.traces.insert([{ correlationId: 'c/../1', at: Date.parse('2026-11-30T10:00:00Z'), protocol: 'ocpi', direction: 'in', kind: 'request', name: 'POST /ocpi/2.2.1/cdrs', status: '200', request }]);
      await store.close();
      const io = captured();
      const out = join(dir, 'out');
      expect(await main(['trace', 'export', 'c/../1', '--out', out, '--config', file], io)).toBe(0);
      const written = io.out().trim().split('\n');
      expect(written.every((path) => path.startsWith(out))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ correlationId: 'c/../1' });
      expect(written.map((path) => JSON.parse(readFileSync(path, 'utf8')) as unknown)).toContainEqual(request);
      const none = captured();
      expect(await main(['trace', 'export', 'nothing-here', '--config', file], none)).toBe(1);
      expect(none.err()).toContain('no exchange nothing-here in the trace');
    });
  });

  describe('outbox', () => {
    /** A configuration whose store holds a delivered, a waiting and two dead items, and a held EVSE. */
    async function storeWithItems() {
      const dir = mkdtempSync(join(tmpdir(), 'bridge-outbox-'));
      const file = join(dir, 'bridge.yaml');
      const yaml = readFileSync(join(REPO, 'bridge.example.yaml'), 'utf8').replace('path: ./data/bridge.sqlite', `path: ${join(dir, 'bridge.sqlite')}`);
      writeFileSync(file, yaml);
      const config = loadConfigFile(file, {});
      const store = await openStore(config.store, config.outbox);
      const ids: number[] = [];
      for (const [topic, payload] of [['oicp:ChargeDetailRecord', { SessionID: 'S1' }], ['oicp:ChargeDetailRecord', { SessionID: 'S2' }], ['oicp:PushEvseStatus', { EvseID: 'DE*ABC*E1' }], ['oicp:PushEvseData', {}]] as const) {
        ids.push((await store.outbox.enqueue({ topic, payload })).id);
      }
      for (const item of await store.outbox.claim({ limit: 2, topics: ['oicp:ChargeDetailRecord'] })) await store.outbox.fail(item, 'refused: ChargeDetailRecord refused: 022 Session is invalid', { permanent: true });
      const [delivered] = await store.outbox.claim({ limit: 1, topics: ['oicp:PushEvseData'] });
      await store.outbox.complete(delivered!);
      await store.held.hold({ kind: 'evse', ref: 'NL*SIM/LOC1/3', reason: 'NL*ALF*E3 belongs to operator NL*ALF, not DE*ABC' });
      await store.close();
      return { file, ids, reopen: () => openStore(config.store, config.outbox) };
    }
    const run = async (argv: string[]) => {
      const io = captured();
      return { code: await main(argv, io), out: io.out(), err: io.err() };
    };

    it('lists items by state and topic, shows one whole, requeues a dead letter and discards another with the reason', async () => {
      const { file, ids, reopen } = await storeWithItems();
      const dead = await run(['outbox', 'list', '--dead', '--config', file]);
      expect(dead.code).toBe(0);
      expect(dead.out.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^#${ids[0]} oicp:ChargeDetailRecord dead attempts 1 since .* — refused: ChargeDetailRecord refused: 022 Session is invalid$`)),
        expect.stringMatching(new RegExp(`^#${ids[1]} oicp:ChargeDetailRecord dead`)),
      ]);
      expect((await run(['outbox', 'list', '--pending', '--topic', 'oicp:PushEvseStatus', '--config', file])).out).toMatch(new RegExp(`^#${ids[2]} oicp:PushEvseStatus pending attempts 0 due `));
      expect((await run(['outbox', 'list', '--limit', '1', '--config', file])).out).toContain(`(more with --after ${ids[0]})`);
      const shown = await run(['outbox', 'show', String(ids[0]), '--config', file]);
      expect(JSON.parse(shown.out)).toMatchObject({ id: ids[0], state: 'dead', payload: { SessionID: 'S1' } });

      expect(await run(['outbox', 'requeue', String(ids[0]), '--config', file])).toMatchObject({ code: 0, out: `item ${ids[0]} requeued: due now, with a fresh set of attempts\n` });
      // Not dead any more: a second requeue says why it is refused.
      expect(await run(['outbox', 'requeue', String(ids[0]), '--config', file])).toMatchObject({ code: 1, err: expect.stringContaining(`item ${ids[0]} is pending`) });
      expect(await run(['outbox', 'discard', String(ids[1]), '--reason', 'billed by hand, ticket 4711', '--config', file])).toMatchObject({ code: 0 });
      expect(await run(['outbox', 'discard', '999', '--reason', 'x', '--config', file])).toMatchObject({ code: 1, err: expect.stringContaining('no outbox item 999') });
      expect((await run(['outbox', 'held', '--config', file])).out).toMatch(/^evse NL\*SIM\/LOC1\/3: NL\*ALF\*E3 belongs to operator NL\*ALF, not DE\*ABC \(since \d{4}-\d\d-\d\dT[\d:.]+Z\)\n$/);

      const store = await reopen();
      try {
        expect(await store.outbox.get(ids[0]!)).toMatchObject({ state: 'pending', attempts: 0 });
        expect(await store.outbox.get(ids[1]!)).toMatchObject({ state: 'discarded', resolution: 'billed by hand, ticket 4711' });
      } finally {
        await store.close();
      }
    });

    it('requeues every dead letter at once, and refuses usage mistakes with exit 2', async () => {
      const { file } = await storeWithItems();
      expect(await run(['outbox', 'requeue', '--all-dead', '--config', file])).toMatchObject({ code: 0, out: '2 dead letter(s) requeued\n' });
      for (const argv of [['outbox'], ['outbox', 'show'], ['outbox', 'show', 'x'], ['outbox', 'discard', '3'], ['outbox', 'list', '--dead', '--pending'], ['outbox', 'list', '7']]) {
        expect((await run([...argv, '--config', file])).code).toBe(2);
      }
    });
  });

  describe('serve', () => {
    it('runs in sandbox mode with no configuration, serves health and readiness, and stops cleanly on SIGTERM', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'bridge-sandbox-'));
      const child = runTs(CLI, ['serve', '--port', '0', '--hub-port', '0'], { cwd });
      const [, url] = await child.waitFor(/listening \{"url":"(http:\/\/127\.0\.0\.1:\d+)"\}/);
      const [, hubUrl] = await child.waitFor(/toward the Hubject simulator at (http:\/\/127\.0\.0\.1:\d+)/);
      expect((await fetch(`${url!}/healthz`)).status).toBe(200);
      expect((await fetch(`${url!}/readyz`)).status).toBe(200);
      expect(child.output()).toContain('sqlite ./data/sandbox.sqlite');
      // The OCPI backend simulator started beside it and the handshake ran.
      expect(child.output()).toMatch(/OCPI backend backend: registered OCPI 2\.2\.1 — CPO NL\*SIM/);
      // The simulated CPO pushed its network; the trace shows each OCPI push and the OICP calls it became.
      await child.waitFor(/OICP REST {2}bridge -> Hubject: PushEvseData update \(2 records\) => 000 Success/);
      await child.waitFor(/OICP REST {2}bridge -> Hubject: PushEvsePricing update \(1 record\) => 000 Success/);
      expect(child.output()).toContain('OCPI       backend -> bridge: PUT locations/LOC1 => accepted');
      // A remote start at the hub goes through the bridge to the simulated CPO, which takes it.
      const remote = await fetch(`${hubUrl!}/api/oicp/charging/v21/providers/DE-DCB/authorize-remote/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ SessionID: 'b2688855-7f00-0002-6d8e-48d498e1be8a', ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } } }),
      });
      expect(await remote.json()).toMatchObject({ Result: true, StatusCode: { Code: '000' } });
      await child.waitFor(/Hubject -> bridge \(for DE-DCB\): AuthorizeRemoteStart => 000/);
      child.process.kill('SIGTERM');
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.output()).toMatch(/stopping: finishing in-flight requests[\s\S]*stopped/);
    });

    it('runs the EMP scenario with --role emp: the network pulled, a backend card charging through Hubject, the CDR taken', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'bridge-sandbox-emp-'));
      const child = runTs(CLI, ['serve', '--sandbox', '--role', 'emp', '--port', '0', '--hub-port', '0'], { cwd });
      await child.waitFor(/OCPI backend backend: registered OCPI 2\.2\.1 — EMSP NL\*SIM/);
      await child.waitFor(/OICP REST {2}bridge -> Hubject: PullEvseData => 000 Success/);
      await child.waitFor(/OCPI {7}backend -> bridge: PUT tokens\/12345678905880 => accepted/);
      await child.waitFor(/OICP REST {2}Hubject -> bridge \(for DE\*XYZ\): AuthorizeStart => Authorized 000 Success/);
      await child.waitFor(/OICP REST {2}Hubject -> bridge \(for DE\*XYZ\): ChargeDetailRecord => 000 Success/);
      expect(child.output()).toContain('sqlite ./data/sandbox-emp.sqlite');
      child.process.kill('SIGTERM');
      expect(await child.exited).toEqual({ code: 0, signal: null });
    });

    it('refuses --role outside sandbox mode and roles it does not know', async () => {
      for (const [args, message] of [
        [['serve', '--sandbox', '--role', 'hub'], /--role must be cpo or emp/],
        [['serve', '--config', 'x.yaml', '--role', 'emp'], /--role chooses the sandbox scenario/],
      ] as const) {
        const child = runTs(CLI, [...args]);
        expect((await child.exited).code).toBe(2);
        expect(child.output()).toMatch(message);
      }
    });

    it('uses the configuration file it is given, in JSON log format', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bridge-serve-'));
      const config = join(dir, 'bridge.yaml');
      writeFileSync(
        config,
        [
          'server: { port: 0 }',
          `store: { path: ${JSON.stringify(join(dir, 'bridge.sqlite'))} }`,
          'ocpi: { countryCode: DE, partyId: BRG, roles: [EMSP], businessDetails: { name: Test } }',
          'oicp: { role: CPO, operatorId: "DE*ABC" }',
        ].join('\n'),
      );
      const child = runTs(CLI, ['serve', '--config', config]);
      const [line] = await child.waitFor(/\{[^\n]*"message":"listening"[^\n]*\}/);
      const { url } = JSON.parse(line) as { url: string };
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(child.output()).not.toContain('sandbox');
      child.process.kill('SIGINT');
      expect((await child.exited).code).toBe(0);
    });

    it('refuses to start on a bad configuration with exit code 2', async () => {
      const child = runTs(CLI, ['serve', '--config', 'fixtures/config/three-mistakes.yaml']);
      expect((await child.exited).code).toBe(2);
      expect(child.output()).toContain('3 configuration problem(s)');
    });

    it('runs the Hubject simulator alone, forwarding to the partners it is given', async () => {
      const child = runTs(CLI, ['simulate', 'hubject', '--port', '0', '--partner', 'CPO:DE*ABC=http://127.0.0.1:9', '--partner', 'EMP:DE-DCB=soap+http://127.0.0.1:9', '--partner', 'CPO:DE*OLD=soap2.1+http://127.0.0.1:9']);
      const [, url] = await child.waitFor(/Hubject simulator listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/oicp/);
      expect(child.output()).toContain('partner CPO DE*ABC at http://127.0.0.1:9 (rest)');
      expect(child.output()).toContain('partner EMP DE-DCB at http://127.0.0.1:9 (soap 2.2)');
      expect(child.output()).toContain('partner CPO DE*OLD at http://127.0.0.1:9 (soap 2.1)');
      const remote = await fetch(`${url!}/api/oicp/charging/v21/providers/DE-DCB/authorize-remote/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ SessionID: 'b2688855-7f00-0002-6d8e-48d498e1be8a', ProviderID: 'DE-DCB', EvseID: 'DE*ABC*E1', Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } } }),
      });
      // Nothing listens at the partner's URL: the hub says the partner did not respond.
      expect(await remote.json()).toMatchObject({ Result: false, StatusCode: { Code: '310' } });
      const traffic = (await (await fetch(`${url!}/simulator/traffic`)).json()) as { operation: string; direction: string }[];
      expect(traffic.map((t) => `${t.direction} ${t.operation}`)).toEqual(['out AuthorizeRemoteStart', 'in AuthorizeRemoteStart']);
      child.process.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
    });

    it('runs the Hubject simulator with a CPO behind it whose network an EMP can pull (--with-cpo)', async () => {
      const child = runTs(CLI, ['simulate', 'hubject', '--port', '0', '--with-cpo']);
      const [, url] = await child.waitFor(/Hubject simulator listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/oicp/);
      await child.waitFor(/behind it: CPO DE\*XYZ with EVSEs DE\*XYZ\*E1\*1, /);
      const pulled = await fetch(`${url!}/api/oicp/evsepull/v23/providers/DE-DCB/data-records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ProviderID: 'DE-DCB', GeoCoordinatesResponseFormat: 'DecimalDegree' }),
      });
      const page = (await pulled.json()) as { content: { EvseID: string }[] };
      expect(page.content.map((r) => r.EvseID)).toEqual(['DE*XYZ*E1*1', 'DE*XYZ*E1*2', 'DE*XYZ*E2*1', 'DE*XYZ*E2*2']);
      child.process.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
    });

    it('refuses simulator options it cannot honour', async () => {
      for (const [args, message] of [
        [['simulate', 'ocpi'], /simulate takes one simulator name: hubject/],
        [['simulate', 'hubject', '--partner', 'HUB:x=http://a'], /--partner must look like/],
        [['simulate', 'hubject', '--partner', 'CPO:X=soap2.3+http://a'], /--partner must look like/],
        [['simulate', 'hubject', '--tls-cert', 'a.pem'], /go together/],
        [['serve', '--config', 'x.yaml', '--hub-port', '1'], /--hub-port is for sandbox mode/],
      ] as const) {
        const io = captured();
        expect(await main([...args], io)).toBe(2);
        expect(io.err()).toMatch(message);
      }
    });

    it('exits 1 with a clear message when its port is taken', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      try {
        const cwd = mkdtempSync(join(tmpdir(), 'bridge-sandbox-'));
        const child = runTs(CLI, ['serve', '--sandbox', '--port', String(port), '--hub-port', '0'], { cwd });
        expect((await child.exited).code).toBe(1);
        expect(child.output()).toMatch(/cannot start: listen EADDRINUSE/);
      } finally {
        blocker.close();
      }
    });
  });

  describe('ocpi', () => {
    it('registers a running bridge with the backend simulator, lists, rotates and unregisters, across processes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bridge-ocpi-'));
      const config = join(dir, 'bridge.yaml');
      writeFileSync(
        config,
        [
          `server: { port: ${await freePort()} }`,
          `store: { path: ${JSON.stringify(join(dir, 'bridge.sqlite'))} }`,
          'ocpi: { countryCode: DE, partyId: BRG, roles: [EMSP], businessDetails: { name: Test } }',
          // Nowhere: these tests must never reach Hubject's QA system.
          'oicp: { role: CPO, operatorId: "DE*ABC", environment: custom, baseUrl: "http://127.0.0.1:9" }',
          'log: { format: json }',
        ].join('\n'),
      );
      const backend = runTs(CLI, ['simulate', 'ocpi-cpo', '--port', '0']);
      const bridge = runTs(CLI, ['serve', '--config', config]);
      try {
        const [, versionsUrl] = await backend.waitFor(/versions URL (http:\S+)/);
        const [, tokenA] = await backend.waitFor(/token A for the bridge: (\S+)/);
        await bridge.waitFor(/"message":"listening"/);
        const run = async (...args: string[]) => {
          const io = captured();
          const code = await main(['ocpi', ...args, '--config', config], io);
          return { code, out: io.out(), err: io.err() };
        };
        expect(await run('register', '--versions-url', versionsUrl!, '--token', tokenA!)).toMatchObject({ code: 0, out: expect.stringMatching(/^backend: registered OCPI 2\.2\.1 — CPO NL\*SIM/) });
        // The token is spent: a second registration is refused with the reason.
        expect(await run('register', '--versions-url', versionsUrl!, '--token', tokenA!)).toMatchObject({ code: 1, err: expect.stringContaining('already registered') });
        expect((await run('parties')).out).toContain('endpoints: credentials(sender)');
        expect(await run('update')).toMatchObject({ code: 0 });
        expect(await run('token-a', '--party', 'second')).toMatchObject({ code: 0, out: expect.stringMatching(/^token A for second: [0-9a-f]{64}\nour versions URL: http:\/\/127\.0\.0\.1:\d+\/ocpi\/versions/) });
        expect(await run('unregister')).toMatchObject({ code: 0, out: 'backend unregistered\n' });
        expect((await run('parties')).out).toMatch(/backend: unregistered[\s\S]*second: offered/);
        expect(await run('nonsense')).toMatchObject({ code: 2 });
      } finally {
        backend.process.kill('SIGTERM');
        bridge.process.kill('SIGTERM');
        await Promise.all([backend.exited, bridge.exited]);
      }
    }, 60_000);

    it('a backend simulator registers with a running bridge given its token A (simulate --register-with)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bridge-ocpi-'));
      const config = join(dir, 'bridge.yaml');
      const port = await freePort();
      writeFileSync(
        config,
        [`server: { port: ${port} }`, `store: { path: ${JSON.stringify(join(dir, 'bridge.sqlite'))} }`, 'ocpi: { countryCode: DE, partyId: BRG, roles: [EMSP], businessDetails: { name: Test } }', 'oicp: { role: CPO, operatorId: "DE*ABC", environment: custom, baseUrl: "http://127.0.0.1:9" }', 'log: { format: json }'].join('\n'),
      );
      const bridge = runTs(CLI, ['serve', '--config', config]);
      let backend: ReturnType<typeof runTs> | undefined;
      try {
        await bridge.waitFor(/"message":"listening"/);
        const io = captured();
        expect(await main(['ocpi', 'token-a', '--config', config], io)).toBe(0);
        const tokenA = /token A for backend: (\S+)/.exec(io.out())![1]!;
        backend = runTs(CLI, ['simulate', 'ocpi-cpo', '--port', '0', '--register-with', `http://127.0.0.1:${port}/ocpi/versions`, '--token', tokenA]);
        await backend.waitFor(/registered with the bridge: bridge: registered OCPI 2\.2\.1 — EMSP DE\*BRG/);
        // A bridge in the OICP CPO role receives the backend's locations and tariffs: the three seed locations and three tariffs are pushed.
        await backend.waitFor(/pushed 6 object\(s\)/);
        const parties = captured();
        await main(['ocpi', 'parties', '--config', config], parties);
        expect(parties.out()).toMatch(/^backend: registered OCPI 2\.2\.1 — CPO NL\*SIM/);
      } finally {
        backend?.process.kill('SIGTERM');
        bridge.process.kill('SIGTERM');
        await Promise.all([backend?.exited, bridge.exited]);
      }
    }, 60_000);
  });
});

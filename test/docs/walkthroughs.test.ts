/**
 * The walkthroughs and the operations page are followed by hand: their configurations must pass the
 * configuration schema as printed, and their commands must be commands the binary has, with options
 * it knows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main } from '../../src/cli/main';
import { parseConfig } from '../../src/config/load';
import { captured } from '../support/io';
import { codeBlocks } from '../support/markdown';

const DOCS = join(__dirname, '..', '..', 'docs');
const read = (page: string) => readFileSync(join(DOCS, page), 'utf8');
const WALKTHROUGHS = { 'cpo-walkthrough.md': 'CPO', 'emp-walkthrough.md': 'EMP' } as const;

async function help(): Promise<string> {
  const io = captured();
  expect(await main(['--help'], io)).toBe(0);
  return io.out();
}

/**
 * The commands the help lists (`simulate ocpi-cpo`, `ocpi update`, `outbox requeue`, ...): the words of each
 * usage line before its first option or placeholder, alternatives (`a|b`, `x ... | y ...`) spelt out.
 */
function helpCommands(usage: string): Set<string> {
  const section = usage.slice(usage.indexOf('Commands:'), usage.indexOf('Options:'));
  const names = new Set(['']); // the bare binary: --help, --version
  for (const [, line] of section.matchAll(/^ {2}([a-z].*)$/gm)) {
    const [first = '', ...others] = line!.split(' | ');
    const group = first.split(' ')[0]!;
    for (const usageLine of [first, ...others.map((other) => `${group} ${other}`)]) {
      const words = usageLine.split(' ');
      const fixed = words.slice(0, words.findIndex((word) => !/^[a-z][a-z0-9|-]*$/.test(word)) >>> 0);
      const [head = '', tail] = fixed;
      for (const alternative of (tail ?? '').split('|')) names.add(tail === undefined ? head : `${head} ${alternative}`);
    }
  }
  return names;
}

/** Every command line a page shows (`ocpi-oicp-bridge ...` or `npx ocpi-oicp-bridge ...`, in prose, tables or code). */
function commands(markdown: string): string[] {
  return [...markdown.replace(/\\\|/g, '|').matchAll(/ocpi-oicp-bridge ((?:--)?[a-z][^`\n#]*)/g)].map(([, rest]) => rest!.trim());
}

describe('the walkthroughs follow the code', () => {
  it.each(Object.entries(WALKTHROUGHS))('%s: its bridge.yaml passes the configuration schema', (page, role) => {
    const configs = codeBlocks(read(page), 'yaml');
    expect(configs).toHaveLength(1);
    // The reader pastes the token the backend printed where the page shows `<token A ...>`.
    const config = parseConfig(parse(configs[0]!.replace(/<token A[^>]*>/g, 'token-a-from-the-backend')), page, {});
    expect(config.oicp.role).toBe(role);
  });

  it.each(['../README.md', 'cpo-walkthrough.md', 'emp-walkthrough.md', 'operations.md'])('%s: every command is one the binary has, with options it knows', async (page) => {
    const usage = await help();
    const known = helpCommands(usage);
    const typed = commands(read(page));
    expect(typed.length).toBeGreaterThan(0);
    for (const command of typed) {
      const words = command.split(/\s+/);
      const name = words.slice(0, Math.min(2, words.findIndex((word) => !/^[a-z][a-z0-9|-]*$/.test(word)) >>> 0));
      const variants = (name[1] ?? '').split('|').map((second) => [name[0], second].filter(Boolean).join(' '));
      for (const variant of variants) expect({ command, known: known.has(variant) }).toEqual({ command, known: true });
      for (const option of command.match(/--[a-z][a-z-]*/g) ?? []) expect({ command, option, known: usage.includes(option) }).toEqual({ command, option, known: true });
    }
  });
});

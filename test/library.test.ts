/**
 * docs/library.md: its example runs as written against the package entry and prints what the page
 * says, and what the page lists is what the entry exports.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as entry from '../src';
import { runTs } from './support/child';

const PAGE = readFileSync(join(__dirname, '..', 'docs', 'library.md'), 'utf8');

/** The fenced blocks of a language, in order. */
const blocks = (lang: string) => [...PAGE.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

it('runs the example against the package entry and prints what the page shows', async () => {
  const [example] = blocks('ts');
  const [printed] = blocks('text');
  expect(example).toContain("from 'ocpi-oicp-bridge'");
  const file = join(mkdtempSync(join(tmpdir(), 'library-')), 'example.ts');
  writeFileSync(file, example!.replace("from 'ocpi-oicp-bridge'", `from ${JSON.stringify(join(__dirname, '..', 'src', 'index'))}`));
  const child = runTs(file, []);
  const { code } = await child.exited;
  expect(child.output()).toBe(printed);
  expect(code).toBe(0);
}, 60_000);

it('lists only names the entry exports, and every mapper it exports', () => {
  const section = PAGE.slice(PAGE.indexOf('## What the entry exports'), PAGE.indexOf('## Example'));
  const table = section.split('\n').filter((line) => line.startsWith('|')).join('\n');
  const listed = new Set([...table.matchAll(/`(\w+)(?:\(|`)/g)].map((m) => m[1]!));
  const values = new Set(Object.keys(entry));
  const types = ['Finding', 'FindingKind', 'Mapped', 'MappingRules'];
  for (const name of listed) if (!types.includes(name)) expect({ name, exported: values.has(name) }).toEqual({ name, exported: true });
  const mappers = [...values].filter((name) => /^(ocpi|oicp)[A-Z]|To(Oicp|Ocpi|Identification|OcpiToken|CommandResult|Acknowledgement)$|^\w+21[12]To2[12][12]$/.test(name));
  expect(mappers.length).toBeGreaterThan(30);
  // The 2.1.1 converters are listed by family (`token…`); every other mapper by name.
  for (const name of mappers.filter((n) => !/^(token|session|cdr)2/.test(n))) expect({ name, listed: listed.has(name) }).toEqual({ name, listed: true });
});

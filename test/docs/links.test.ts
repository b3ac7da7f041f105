import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { anchors, links, slug } from '../support/markdown';

const REPO = join(__dirname, '..', '..');
const PAGES = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** What is wrong with each relative link of `page`: a file that does not exist, or an anchor no heading has. */
function brokenLinks(page: string, read: (file: string) => string | undefined): string[] {
  const markdown = read(page) ?? '';
  return links(markdown).flatMap(({ target, line }) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return []; // https:, mailto: ... are not ours to check
    const [path = '', anchor] = target.split('#', 2) as [string, string | undefined];
    const file = path === '' ? page : relative(REPO, resolve(REPO, dirname(page), decodeURIComponent(path)));
    const where = `${page}:${line} -> ${target}`;
    const text = read(file);
    if (text === undefined) return existsSync(join(REPO, file)) && anchor === undefined ? [] : [`${where}: no file ${file}`];
    if (anchor === undefined || !file.endsWith('.md')) return [];
    return anchors(text).has(anchor) ? [] : [`${where}: no heading with the anchor #${anchor} in ${file}`];
  });
}

const fromRepo = (file: string) => {
  const path = join(REPO, file);
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
};

describe('links in the README and docs/', () => {
  it('resolve: every relative link names an existing file, every #anchor a heading of its page', () => {
    expect(PAGES.flatMap((page) => brokenLinks(page, fromRepo))).toEqual([]);
    // The pages do link to each other; a reader that found no links would pass for the wrong reason.
    expect(PAGES.reduce((count, page) => count + links(fromRepo(page)!).length, 0)).toBeGreaterThan(50);
  });

  it('anchors are GitHub’s', () => {
    expect(slug('What "nothing lost" means here')).toBe('what-nothing-lost-means-here');
    expect(slug('Time zones (`src/mapping/time-zone.ts`)')).toBe('time-zones-srcmappingtime-zonets');
    expect(slug('OCPI 2.1.1 <-> 2.2.1 (`src/mapping/ocpi-211/`)')).toBe('ocpi-211---221-srcmappingocpi-211');
    expect([...anchors('# A\n## A\n```\n# not a heading\n```\n## B')]).toEqual(['a', 'a-1', 'b']);
  });

  it('a broken file or anchor is reported, a link in code is not a link', () => {
    const pages: Record<string, string> = {
      'docs/a.md': '# A\n\nsee [b](b.md#there), [gone](c.md), [self](#a), [nowhere](#nope)\n\n```\n[x](code.md)\n```\n`[y](inline.md)`',
      'docs/b.md': '# B\n\n## Here\n',
    };
    expect(brokenLinks('docs/a.md', (file) => pages[file])).toEqual([
      'docs/a.md:3 -> b.md#there: no heading with the anchor #there in docs/b.md',
      'docs/a.md:3 -> c.md: no file docs/c.md',
      'docs/a.md:3 -> #nope: no heading with the anchor #nope in docs/a.md',
    ]);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Erratum } from '../../src/core/errata';

const ROOT = join(__dirname, '..', '..');

/**
 * A registry of errata and one test per entry: each case runs the code the erratum names, and the
 * registry itself is checked (ids, the files it names, which must name it back, and docs/errata.md).
 */
export function describeErrata<E extends Erratum>(title: string, errata: readonly E[], cases: Record<E['id'], () => void | Promise<void>>): void {
  describe(title, () => {
    it.each(errata.map((erratum) => [erratum.id] as const))('%s: the code departs from the letter as the registry says', async (id) => {
      await cases[id as E['id']]();
    });

    it('ids are unique kebab-case, and every module named exists and names the erratum (so no one "fixes" it unknowingly)', () => {
      const ids = errata.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const erratum of errata) {
        expect(erratum.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(erratum.where.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
        const silent = erratum.where.filter((path) => path.endsWith('.ts') && !readFileSync(join(ROOT, path), 'utf8').includes(erratum.id));
        expect({ id: erratum.id, silent }).toEqual({ id: erratum.id, silent: [] });
      }
    });

    it('every erratum is explained in docs/errata.md', () => {
      const doc = readFileSync(join(ROOT, 'docs', 'errata.md'), 'utf8');
      expect(errata.map((e) => e.id).filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
    });
  });
}

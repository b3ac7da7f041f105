import type { Finding } from '../../src/core/findings';

/** Paths of the leaves where `a` and `b` differ (a value changed, appeared or went missing). */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  const container = (v: unknown) => v !== null && typeof v === 'object';
  if (!container(a) || !container(b) || Array.isArray(a) !== Array.isArray(b)) return [path || '(root)'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => {
    const child = Array.isArray(a) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    return differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], child);
  });
}

const within = (path: string, scope: string) => scope === '' || path === scope || path.startsWith(`${scope}.`) || path.startsWith(`${scope}[`);

/**
 * The differences no finding accounts for: a difference is explained by a finding on the same field
 * or on an enclosing one. Timestamps are explained by a finding on the top-level `last_updated`,
 * which says that no timestamp is carried.
 */
export function unexplained(diffs: string[], findings: readonly Finding[]): string[] {
  const stamps = findings.some((f) => f.path === 'last_updated');
  return diffs.filter((d) => !(stamps && /(^|\.)last_updated$/.test(d)) && !findings.some((f) => within(d, f.path)));
}

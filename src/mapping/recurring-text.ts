/**
 * Finding paths and messages that recur from one element to the next, built once and handed out again.
 * The location mapper gives some 38 findings per location, nearly all of them a path under an EVSE
 * (`evses[1].connectors[0].max_amperage`) or a message built from a value the next location has too
 * (`the operator default "Free publicly accessible" applies`). Built anew, each was concatenated,
 * then flattened and hashed by the findings' string table (src/core/findings.ts) to find the copy it
 * keeps: together a fifth of the mapper's time. A string handed out here is one the table has already
 * seen, so it is found at once.
 *
 * Bounded, as paths and values come from peers: a table starts afresh when full.
 */
import { childPath } from '../core/findings';

const MAX = 10_000;

/** A text per key, built by `build` the first time the key is asked for. */
export function recurringText<K>(build: (key: K) => string): (key: K) => string {
  const texts = new Map<K, string>();
  return (key) => {
    let text = texts.get(key);
    if (text === undefined) {
      if (texts.size >= MAX) texts.clear();
      text = build(key);
      texts.set(key, text);
    }
    return text;
  };
}

/** Distinct parent paths whose child paths are kept: a pulled page is 2,000 records (and their plugs and facilities). */
const PARENTS_KEPT = 20_000;
const children = new Map<string, Map<string | number, string>>();

/** childPath, with the same string for the same parent and key each time. */
export function recurringPath(parent: string, key: string | number): string {
  let under = children.get(parent);
  if (under === undefined) {
    if (children.size >= PARENTS_KEPT) children.clear();
    under = new Map();
    children.set(parent, under);
  }
  let path = under.get(key);
  if (path === undefined) {
    if (under.size >= MAX) under.clear();
    path = childPath(parent, key);
    under.set(key, path);
  }
  return path;
}

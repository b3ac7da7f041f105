/**
 * One rule for what counts as a secret, used by the logger and by every message that echoes input
 * (config problems, for instance), so a token can never slip out through a path nobody thought of.
 */

const SECRET_KEY = /(token|authorization|password|passphrase|secret|credential|cookie|^key$|privatekey|private_key)/i;

/** `Authorization: Token abc`, `Bearer abc`, and `postgres://user:pass@host` userinfo. */
const SECRET_IN_TEXT: [RegExp, string][] = [
  [/\b(Token|Bearer|Basic)\s+[^\s"',;]+/g, '$1 [REDACTED]'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[REDACTED]@'],
];

export const REDACTED = '[REDACTED]';

export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

export function redactText(text: string): string {
  return SECRET_IN_TEXT.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

/**
 * A deep copy with secret-named keys replaced and secrets inside strings masked. Cycles and depth are
 * bounded because log metadata can hold arbitrary objects (errors, requests).
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>(), secret: SecretRule = isSecretEntry): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 8) return '[…]';
  // `seen` holds the ancestors only: an object met again beside itself (a mapper's part shared by several records) is no cycle, and is copied again.
  seen.add(value);
  const copy = redactObject(value, depth, seen, secret);
  seen.delete(value);
  return copy;
}

function redactObject(value: object, depth: number, seen: WeakSet<object>, secret: SecretRule): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen, secret));
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactEntry(key, item, depth + 1, seen, secret);
  return out;
}

/** One keyed value: hidden whole when its key names a secret, else redacted inside. */
export function redactEntry(key: string, value: unknown, depth = 0, seen = new WeakSet<object>(), secret: SecretRule = isSecretEntry): unknown {
  return secret(key, value) && value != null ? REDACTED : redact(value, depth, seen, secret);
}

/** Whether a keyed value is a secret to hide whole. */
type SecretRule = (key: string, value: unknown) => boolean;

const isSecretEntry: SecretRule = (key) => isSecretKey(key);

/**
 * The rule for protocol messages kept for operators (the exchange trace): the log's rule would hide
 * what they come to read (an OCPI CDR's `cdr_token`, an `authorization_reference`). Here a secret is
 * a credential in a string: the OCPI credentials `token` (a Token object under `token` is an RFID
 * card, not a secret), a password, a key or certificate; secrets inside any string are masked as always.
 */
const MESSAGE_SECRET_KEY = /^(token|authorization|password|passphrase|secret|cookie|key|private_?key|cert|certificate|client_?secret)$/i;
export const isMessageSecret: SecretRule = (key, value) => MESSAGE_SECRET_KEY.test(key) && typeof value === 'string';

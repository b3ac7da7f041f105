/**
 * Whether `key` is one of the table's own keys. Mapping tables are looked up with untrusted input, and
 * a value like "toString" must not find Object.prototype's members.
 */
export function isKeyOf<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(table, key);
}

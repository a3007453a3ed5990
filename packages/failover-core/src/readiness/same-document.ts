/**
 * Whether two copies of a document say the same: the DR config parameter is written to both
 * regions, and a copy that differs only in whitespace or key order is not a difference.
 */

/** Same JSON document (whitespace and key order aside), or the same text when either is not JSON. */
export function sameDocument(a: string, b: string): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return a === b;
  }
}

/**
 * The q-quantile of a sample by the nearest-rank rule (the value at index ⌊q·n⌋ of the sorted
 * sample, the largest for q = 1), or null for an empty sample. Pure; the sample is not reordered.
 */
export function quantile(xs: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be from 0 to 1; got ${q}`);
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

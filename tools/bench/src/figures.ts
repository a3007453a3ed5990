import { brokenInvariants, INVARIANT_LIMITS, roundTenths, type Invariants } from '@dr/failover-core/drill';
import type { JobResult } from './jobs.js';
import { stats } from './mix.js';

/** The invariants, in the order the issue lists them. */
export const INVARIANT_KEYS = Object.keys(INVARIANT_LIMITS) as readonly (keyof Invariants)[];

/**
 * An invariant's total over drills so far, with one more drill's value: the sum, but for
 * promotionsPerOperationMax, already a maximum per run, the maximum.
 */
export const addInvariant = (key: keyof Invariants, total: number, value: number): number =>
  key === 'promotionsPerOperationMax' ? Math.max(total, value) : total + value;

/** One invariant over a batch: its sum and maximum, and the seeds that broke it. */
export interface InvariantFigure {
  readonly key: keyof Invariants;
  readonly sum: number;
  readonly max: number;
  /** Seeds whose value broke the invariant: more than one promotion in a run, anything above 0 for the others. */
  readonly seeds: readonly number[];
}

/** Sum, maximum and offending seeds of every invariant over a batch. */
export function invariantFigures(results: readonly JobResult[]): InvariantFigure[] {
  return INVARIANT_KEYS.map((key) => ({
    key,
    sum: roundTenths(results.reduce((a, r) => a + r.invariants[key], 0)),
    max: Math.max(0, ...results.map((r) => r.invariants[key])),
    seeds: results.filter((r) => r.invariants[key] > INVARIANT_LIMITS[key]).map((r) => r.seed),
  }));
}

/** A list of seeds, cut after `limit` with how many more there are. */
export function seedList(seeds: readonly number[], limit = 15): string {
  if (seeds.length === 0) return 'none';
  const shown = seeds.slice(0, limit).join(', ');
  return seeds.length > limit ? `${shown} … and ${seeds.length - limit} more` : shown;
}

/** One printed line per invariant: sum, max, and the seeds that broke it. */
export function invariantLines(figures: readonly InvariantFigure[], indent = '   '): string[] {
  return figures.map((f) => {
    const broke = f.seeds.length
      ? `BROKEN in ${f.seeds.length}: seeds ${seedList(f.seeds)}`
      : `holds (≤ ${INVARIANT_LIMITS[f.key]} in every seed)`;
    // promotionsPerOperationMax is already a maximum per run: a sum of it means nothing.
    const sum = f.key === 'promotionsPerOperationMax' ? '—' : String(f.sum);
    return `${indent}${f.key.padEnd(27)} sum ${sum.padStart(6)}  max ${String(f.max).padStart(5)}  ${broke}`;
  });
}

/** How many results ended in each outcome, as `outcome n` pairs sorted by count. */
export function outcomeCounts(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** RTO per operation kind over every operation of every result, completed runs only. */
export function rtoByOperation(results: readonly JobResult[]): { operation: string; n: number; p50: number; p95: number; max: number }[] {
  const by = new Map<string, number[]>();
  for (const r of results)
    for (const o of r.operations)
      if (o.outcome === 'completed' && o.rtoSeconds !== null) by.set(o.operation, [...(by.get(o.operation) ?? []), o.rtoSeconds]);
  return [...by.entries()].map(([operation, values]) => {
    const s = stats(values);
    return { operation, n: s.n, p50: s.p50, p95: s.p95, max: s.max };
  });
}

/** `p50 x s, p95 y s, max z s (seed n)` of the return exposure, and how many seeds had any. */
export function exposureLine(results: readonly JobResult[]): string {
  const s = stats(results.map((r) => r.returnExposureSeconds));
  const nonZero = results.filter((r) => r.returnExposureSeconds > 0).length;
  const worst = nonZero ? ` (seed ${results.find((r) => r.returnExposureSeconds === s.max)?.seed})` : '';
  return `p50 ${s.p50.toFixed(1)} s, p95 ${s.p95.toFixed(1)} s, max ${s.max.toFixed(1)} s${worst}; ${nonZero}/${results.length} seeds above 0`;
}

/** For a result that did not hold: which operations did not complete and why, and the pilot light's problems. */
export function whatWentWrong(r: JobResult): string {
  const ops = r.operations
    .map((o, i) => ({ ...o, i: i + 1 }))
    .filter((o) => o.outcome !== 'completed')
    .map((o) => `#${o.i} ${o.operation} ${o.outcome}${o.reason ? ` (${o.reason})` : ''}`);
  const broken = brokenInvariants(r.invariants).map((k) => `${k} ${r.invariants[k]}`);
  return [...broken, ...ops, ...r.problems.map((p) => `pilot light: ${p}`)].join('; ') || 'nothing recorded';
}

import { Rng } from '@dr/failover-core/sim';
import { SCENARIOS, type Scenario } from '@dr/failover-core/drill';

/** The seed and scenario of drill number `i` of a throughput batch: random, but the same every run. */
export function drillAt(i: number): { seed: number; scenario: Scenario } {
  const rng = new Rng(i).fork('mix');
  return { seed: Math.floor(rng.next() * 0xffffffff), scenario: SCENARIOS[Math.floor(rng.next() * SCENARIOS.length)] as Scenario };
}

/** Summary statistics of a sample. */
export function stats(values: readonly number[]): { n: number; mean: number; p50: number; p95: number; max: number; min: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, mean, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN, min: sorted[0] ?? Number.NaN };
}

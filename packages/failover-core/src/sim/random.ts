import type { Range } from './latency.js';

/** Hashes a string to 32 bits (FNV-1a), to derive independent streams from one seed. */
export function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32). Each concern forks its own stream by label, so
 * a change in how often one part draws numbers does not shift any other part's draws.
 */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An independent stream for `label`. */
  fork(label: string): Rng {
    return new Rng(hash32(`${this.seed}:${label}`));
  }

  /** A value for `label` that depends only on the seed and the label (no stream state). */
  at(label: string): number {
    return new Rng(hash32(`${this.seed}:${label}`)).next();
  }
}

/** A draw from `range`, to a whole number, from the value `rng` gives `label`: every latency, lag and delay the simulator draws. */
export function drawIn(rng: Rng, label: string, range: Range): number {
  return Math.round(range[0] + (range[1] - range[0]) * rng.at(label));
}

/**
 * What a drill session is given (its world, engine settings, faults and chaos) and what it
 * streams as it goes, with the span of each run it saw.
 */
import type { DrConfig } from '../config/schema.js';
import type { Verdict } from '../detector/detector.js';
import type { EngineSettings, RunState, TimelineEntry } from '../machine/types.js';
import type { Operation, Plan } from '../plan/types.js';
import type { LatencyModel } from '../sim/latency.js';
import type { LateWrites } from '../sim/sim-state-store.js';
import type { Faults, Layout } from '../sim/world.js';

/** Progress of a drill, streamed as it happens. Times are seconds since the drill began. */
export type DrillProgress =
  | { readonly kind: 'plan'; readonly plan: Plan }
  | { readonly kind: 'verdict'; readonly seconds: number; readonly verdict: Verdict; readonly readings: Readonly<Record<string, string>> }
  | { readonly kind: 'timeline'; readonly seconds: number; readonly entry: TimelineEntry; readonly state: RunState }
  | { readonly kind: 'controller'; readonly seconds: number; readonly message: string }
  | { readonly kind: 'fault'; readonly seconds: number; readonly description: string };

/** Chaos a drill adds on top of its scenario: what the world and the controllers go through besides. */
export interface DrillChaos {
  /** Chance that a controller invocation that drives a run crashes between two of its events. @default 0 */
  readonly crashRate?: number;
  /** Chance that a mutating call's answer is lost though it took effect. @default 0 */
  readonly lostResponseRate?: number;
  /** State writes that land and are answered late. */
  readonly lateWrites?: LateWrites;
  /**
   * Chance that a scheduled invocation is delivered late (Lambda retries a throttled asynchronous
   * event for up to 6 hours: here 1 minute to 6 hours late), and chance that one is delivered
   * twice (EventBridge delivers at least once). Source: Lambda developer guide, "Asynchronous
   * invocation"; EventBridge user guide, "Event delivery". @default 0
   */
  readonly lateTickRate?: number;
  readonly duplicateTickRate?: number;
}

/** Options of a {@link DrillSession}. */
export interface SessionOptions {
  readonly config: DrConfig;
  readonly seed: number;
  readonly latency?: Partial<LatencyModel> | undefined;
  readonly settings?: EngineSettings | undefined;
  readonly layout?: Layout;
  /** See `SimWorldOptions.warmStandby`. @default false */
  readonly warmStandby?: boolean;
  readonly faults?: Faults;
  readonly chaos?: DrillChaos | undefined;
  /** Run the detector's failover past the RPO guard (an operator's forced failover in a drill). */
  readonly force?: boolean;
  readonly onProgress?: ((progress: DrillProgress) => void) | undefined;
}

/** One run's life in a drill: when it started and ended (its final end, after any retries), as the driver saw it. */
export interface RunSpan {
  readonly runId: string;
  readonly operation: Operation;
  readonly from: number;
  to: number | undefined;
}

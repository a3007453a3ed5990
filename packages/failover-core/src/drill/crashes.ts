/**
 * Controller crashes a drill injects: a runner's `beforeEvent` hook that throws between two of
 * its events, at a seeded point (the `crashRate` chaos) or at a set time into a run (a
 * scenario's crash), so the next invocation must resume what it left.
 */
import type { RunEvent } from '../machine/types.js';
import type { Rng } from '../sim/random.js';
import type { VirtualClock } from '../sim/virtual-clock.js';

/** A controller crash, injected between two events of a run. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** When a crash is due: `afterMs` after the first event any runner sharing the plan took; `done` once it happened. */
export interface CrashPlan {
  afterMs: number;
  firstAt?: number;
  done?: boolean;
}

/** What a crash plan draws on: the chaos rate, the session's seeded draws and clock, and who counts crashes. */
export interface CrashChaos {
  readonly crashRate: number;
  readonly rng: Rng;
  readonly clock: VirtualClock;
  readonly onCrash: () => void;
}

/**
 * A crash between two events of a run: at a seeded point of an invocation that drives a run
 * (the `crashRate` chaos), or, for `forced`, once `afterMs` has passed since any runner of the
 * session first took an event (shared, so it lands in whichever invocation drives the run then).
 */
export function crashBetweenEvents(
  owner: string,
  forced: CrashPlan | undefined,
  chaos: CrashChaos,
): ((index: number, event: RunEvent) => void) | undefined {
  const rate = chaos.crashRate;
  const plan: CrashPlan | undefined =
    forced ??
    (rate > 0 && chaos.rng.at(`crash:${owner}`) < rate
      ? { afterMs: Math.floor(chaos.rng.at(`crash-point:${owner}`) * 480_000) }
      : undefined);
  if (!plan) return undefined;
  return (index) => {
    if (plan.done) return;
    plan.firstAt ??= chaos.clock.now();
    if (chaos.clock.now() - plan.firstAt >= plan.afterMs) {
      plan.done = true;
      chaos.onCrash();
      throw new SimulatedCrash(
        `${owner} crashed before event ${index}, ${Math.round((chaos.clock.now() - plan.firstAt) / 1000)}s into the run`,
      );
    }
  };
}

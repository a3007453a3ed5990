/**
 * The failover controller's schedule in a drill: EventBridge fires every minute, each firing
 * delivered once, twice or late as the chaos says, and each delivery runs one invocation of
 * `supervise` on its own (overlapping the last if it is still busy), stopped at Lambda's timeout.
 */
import type { DetectorRound, DetectorState } from '../detector/detector.js';
import { isLeaseLost, isLockHeld } from '../errors.js';
import type { RunEvent, RunState } from '../machine/types.js';
import { supervise } from '../runtime/supervise.js';
import { SimulatedCrash, type CrashPlan } from './crashes.js';
import type { DrillSession } from './session.js';

/** Lambda's maximum timeout; the failover controller stops short of it. */
const LAMBDA_TIMEOUT_MS = 15 * 60_000;
/**
 * The controller's probe window in each one-minute invocation: the schedule less 4 s, as the constructs set it, so rounds keep their
 * interval across invocations.
 */
const PROBE_WINDOW_MS = 56_000;

/** What the schedule reports through, and how it crashes an invocation: the session's own hooks. */
export interface ScheduleHooks {
  readonly onRound: (round: DetectorRound, state: DetectorState) => void;
  readonly onTransition: (state: RunState) => void;
  readonly crasher: (owner: string, forced: CrashPlan | undefined) => ((index: number, event: RunEvent) => void) | undefined;
}

/** Invokes a drill session's controller on its schedule until stopped. */
export class ControllerSchedule {
  /** Schedule firings (each delivered once, twice, or late). */
  private ticks = 0;
  private maintenanceNoted = false;
  private stopped = false;

  constructor(
    private readonly session: DrillSession,
    private readonly hooks: ScheduleHooks,
  ) {}

  /**
   * Starts the schedule: an invocation of the controller every minute from now until stopped,
   * each running on its own (overlapping the last if it is still busy), each stopped at Lambda's
   * timeout. `crashOnce` crashes the first invocation that drives a run, that long into it.
   */
  start(crashOnce?: { afterMs: number }): void {
    const shared = crashOnce ? { ...crashOnce } : undefined;
    const tick = async (): Promise<void> => {
      for (let at = this.session.clock.now(); !this.stopped; at += this.session.world.latency.scheduleIntervalMs) {
        await this.session.clock.sleepUntil(Math.max(at, this.session.clock.now()));
        if (this.stopped) return;
        const chaos = this.session.options.chaos;
        const n = this.ticks++;
        const deliveries = this.session.rng.at(`tick-twice:${n}`) < (chaos?.duplicateTickRate ?? 0) ? 2 : 1;
        for (let d = 0; d < deliveries; d++) {
          // The first firing is on time: the drill's controller has watched the healthy primary
          // before the drill begins (a detector that never saw it healthy never fails it over).
          const late =
            n > 0 && this.session.rng.at(`tick-late:${n}:${d}`) < (chaos?.lateTickRate ?? 0)
              ? 60_000 + Math.floor(this.session.rng.at(`tick-delay:${n}:${d}`) * 6 * 3_600_000)
              : 0;
          const firedAt = this.session.clock.now();
          void this.session.clock.sleep(late).then(() => {
            if (this.stopped) return;
            const owner = `controller-${++this.session.invocations}`;
            return this.invoke(owner, this.hooks.crasher(owner, shared), firedAt);
          });
        }
      }
    };
    void tick();
  }

  /** Stops scheduling invocations (those running finish on their own). */
  stop(): void {
    this.stopped = true;
  }

  private async invoke(
    owner: string,
    beforeEvent: ((index: number, event: RunEvent) => void) | undefined,
    scheduledAt?: number,
  ): Promise<void> {
    const started = this.session.clock.now();
    try {
      const result = await supervise({
        ports: this.session.ports.forCaller(owner),
        config: this.session.config,
        owner,
        settings: this.session.settings,
        probeUntil: started + PROBE_WINDOW_MS,
        deadline: started + LAMBDA_TIMEOUT_MS - 30_000,
        onRound: this.hooks.onRound,
        onTransition: this.hooks.onTransition,
        beforeEvent,
        runId: () => this.session.nextRunId(),
        force: this.session.options.force,
        scheduledAt,
      });
      if (result.action === 'stale-tick') this.session.staleTicks++;
      if (result.action === 'maintenance' && !this.maintenanceNoted) {
        this.maintenanceNoted = true;
        this.session.note(
          `${owner}: the primary fails while its database reports maintenance; no failover unless it outlasts ${this.session.config.detection.maintenanceSeconds} s`,
        );
      }
      if (result.action === 'resumed') this.session.note(`${owner} resumed run ${result.run?.runId ?? ''}`);
      if (result.action === 'took-over') this.session.note(`${owner} took over run ${result.run?.runId ?? ''}`);
      if (result.action === 'expired') this.session.note(`${owner}: the approval of run ${result.run?.runId ?? ''} expired`);
      if (result.containment?.status === 'contained') this.session.note(`${owner} contained the old region`);
    } catch (e) {
      if (e instanceof SimulatedCrash) this.session.note(`${e.message}; its lease runs out and a later invocation resumes`);
      else if (!isLockHeld(e) && !isLeaseLost(e)) throw e;
    }
  }
}

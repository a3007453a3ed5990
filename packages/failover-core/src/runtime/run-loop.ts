/**
 * The event loop of one run, under a lease already held: it persists each transition the state
 * machine returns (write-ahead, before its commands run), performs the commands concurrently,
 * and feeds their answers back one at a time. When it must stop (the lease lost, a deadline, an
 * abort signal) it waits for calls in flight, then hands the lease over. Past the point of no
 * return it also keeps trying to contain the region the run left.
 */
import { nextContainment } from '../machine/containment.js';
import { planBlocks } from '../machine/run-state.js';
import { transition } from '../machine/transition.js';
import { isTerminal, type Command, type EngineSettings, type RunEvent, type RunState, type Transition } from '../machine/types.js';
import type { Ports } from '../ports.js';
import { containOnce, recordLook, type ContainmentGuard } from './containment.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { perform } from './perform.js';
import type { RunnerOptions } from './runner-options.js';

/** How long a stopping runner waits for calls in flight to answer before it hands over; past it, the lease is left to lapse. */
const DRAIN_LIMIT_MS = 15_000;
const DRAIN_POLL_MS = 250;
/** How often a runner past its point of no return looks again at the region it left to contain. */
const CONTAIN_EVERY_MS = 10_000;

/** Drives one run's transitions through the ports under the runner's lease. */
export class RunLoop {
  private readonly ports: Ports;
  /** Mutating calls in flight (a run's, or containment's): a stopping runner waits for them. */
  private acting = 0;
  private containing = false;
  private finished = false;

  /** Gates and counts containment calls made under this runner's lease. */
  readonly containmentGuard: ContainmentGuard = {
    mayAct: () => this.lease.leaseForAct(),
    act: async (call) => {
      this.acting++;
      try {
        await call();
      } finally {
        this.acting--;
      }
    },
  };

  constructor(
    private readonly options: RunnerOptions,
    private readonly lease: LeaseKeeper,
    private readonly settings: EngineSettings,
  ) {
    this.ports = options.ports;
  }

  private async persist(run: RunState): Promise<void> {
    this.lease.latest = run;
    const now = this.ports.clock.now();
    // A finished run releases the lease at once so the next one need not wait for expiry.
    await this.lease.write(
      (current) => ({
        run,
        active: run.committedAt !== undefined ? run.to : current.active,
        containment: nextContainment(current.containment, run, now),
      }),
      isTerminal(run.phase),
    );
    this.containInBackground(run);
  }

  /**
   * Once a run is past its point of no return and none of its own best-effort containment blocks
   * is in progress (they wait the drain time first), this runner keeps trying every few seconds
   * while it drives the run, under its lease: a region that comes back mid-run is fenced at
   * once rather than when the run ends.
   */
  private containInBackground(run: RunState): void {
    if (this.containing || run.committedAt === undefined || isTerminal(run.phase) || !this.lease.record.containment) return;
    const ownTries = planBlocks(run).filter((b) => b.bestEffort && b.id.startsWith('contain-'));
    if (ownTries.some((b) => ['observing', 'acting', 'waiting'].includes(run.blocks[b.id]?.status ?? 'pending'))) return;
    this.containing = true;
    void (async () => {
      while (!this.finished && !this.lease.stopped) {
        const pending = this.lease.record.containment;
        if (!pending) return;
        try {
          const look = await containOnce(this.ports, this.options.config, pending, this.containmentGuard);
          const { contained } = await recordLook(
            this.ports,
            this.options.config,
            pending,
            look,
            (containment) => this.lease.write((current) => ({ ...current, containment })),
            false,
          );
          if (contained) return;
        } catch {
          // The region does not answer yet (or this runner stopped): look again later.
        }
        await this.ports.clock.sleep(CONTAIN_EVERY_MS);
      }
    })();
  }

  /** Drives a run from its first transition until it ends, parks, or this runner must stop. */
  async run(first: Transition & { readonly event?: RunEvent }): Promise<RunState> {
    try {
      return await this.loopUnguarded(first, first.event);
    } catch (e) {
      // Whatever stopped this runner, nothing it still has in flight may act on the world.
      this.lease.stop();
      this.finished = true;
      throw e;
    }
  }

  private async loopUnguarded(first: Transition, firstEvent?: RunEvent): Promise<RunState> {
    const queue: RunEvent[] = [];
    let inflight = 0;
    let wake: (() => void) | undefined;
    const launch = (command: Command, state: RunState): void => {
      inflight++;
      if (command.kind === 'act') this.acting++;
      void this.execute(command, state).then((event) => {
        inflight--;
        if (command.kind === 'act') this.acting--;
        if (event) queue.push(event);
        wake?.();
      });
    };

    let state = first.state;
    await this.persist(state);
    this.options.onTransition?.(state, firstEvent, this.lease.held.epoch);
    for (const c of first.commands) launch(c, state);
    let index = 0;
    for (;;) {
      if (queue.length === 0) {
        if (inflight === 0) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (
        this.lease.stopped ||
        this.options.signal?.aborted ||
        (this.options.deadline !== undefined && this.ports.clock.now() >= this.options.deadline)
      ) {
        const lost = this.lease.stopped;
        this.lease.stop();
        // A call already sent may still land: hold the lease until it has answered (each call
        // has its own deadline), so the next controller never acts beside it.
        this.finished = true;
        for (let waited = 0; this.acting > 0 && waited < DRAIN_LIMIT_MS; waited += DRAIN_POLL_MS)
          await this.ports.clock.sleep(DRAIN_POLL_MS);
        // One still unanswered keeps the lease until it lapses rather than hand over beside it.
        if (this.acting === 0 && !lost) await this.lease.release();
        return state;
      }
      const event = queue.shift() as RunEvent;
      this.options.beforeEvent?.(index++, event);
      const t = transition(state, event, this.settings);
      if (t.state !== state) {
        const durable = this.mustPersist(state, t);
        state = t.state;
        if (durable) await this.persist(state);
        else this.lease.latest = state;
        this.options.onTransition?.(state, event, this.lease.held.epoch);
      }
      for (const c of t.commands) launch(c, state);
    }
    this.finished = true;
    // Nothing left to do now but the run is not over (it awaits an approval): park it and free
    // the lease at once, so the operator who approves, or the next controller, need not wait.
    if (!isTerminal(state.phase) && !this.lease.stopped) await this.lease.release();
    return state;
  }

  /**
   * Whether a transition must reach the store before its commands run. Always when it decides
   * to act (the write-ahead intent), when the run moves (phase, step, timeline), or when the
   * lease is a third spent. A poll that only observes again need not: a resumed run re-observes
   * every unfinished block anyway. This keeps a long wait from writing every two seconds.
   */
  private mustPersist(before: RunState, t: Transition): boolean {
    const after = t.state;
    if (t.commands.some((c) => c.kind === 'act')) return true;
    if (after.phase !== before.phase || after.stepIndex !== before.stepIndex || after.timeline.length !== before.timeline.length)
      return true;
    return this.lease.renewalDue();
  }

  /** Performs one command through the ports, unless this runner has stopped. */
  execute(command: Command, state: RunState): Promise<RunEvent | undefined> {
    if (this.lease.stopped) return Promise.resolve(undefined);
    return perform(command, state, {
      ports: this.ports,
      config: this.options.config,
      approve: this.options.approve,
      leaseForAct: () => this.lease.leaseForAct(),
    });
  }
}

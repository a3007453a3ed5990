/**
 * The controller's attempt at a region left to contain (fenced and drained once it answers
 * again), made under the lease and only while no run is unfinished.
 */
import { isLockHeld, isLeaseLost, describeError } from '../errors.js';
import type { Containment } from '../machine/containment.js';
import { isTerminal } from '../machine/types.js';
import { containOnce, recordLook } from './containment.js';
import type { RunnerOptions } from './runner-options.js';
import { Runner } from './runner.js';

/**
 * Runs `work`, or answers `busy()` when another controller holds the lease or took it mid-way
 * (a late write): what it was doing is theirs to carry on.
 */
export async function unlessBusy<T>(work: () => Promise<T>, busy: () => T): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isLockHeld(e) || isLeaseLost(e)) return busy();
    throw e;
  }
}

/** What one containment attempt found or did. */
export type ContainmentOutcome =
  | { readonly status: 'none' }
  /** Another controller holds the lease, or a run is unfinished: not now. */
  | { readonly status: 'busy' }
  /** The region did not answer; tried again next time. */
  | { readonly status: 'unreachable'; readonly error: string }
  /** Calls made; done once a later look sees them applied. */
  | { readonly status: 'acted'; readonly containment: Containment }
  /** Seen done and cleared. */
  | { readonly status: 'contained'; readonly containment: Containment };

/**
 * One attempt at a pending containment by the controller, under the lease and only while no
 * run is unfinished (a run contains its own region as it goes): look, act, and clear the
 * containment once a look sees it done. Best effort, whenever the region's control plane answers.
 */
export async function containPending(
  options: Omit<RunnerOptions, 'onTransition' | 'approve' | 'beforeEvent'>,
): Promise<ContainmentOutcome> {
  const runner = new Runner(options);
  return unlessBusy<ContainmentOutcome>(
    async () => {
      const record = await runner.take();
      const pending = record.containment;
      if (!pending || (record.run && !isTerminal(record.run.phase))) {
        await runner.writeRecord((current) => current, true);
        return pending ? { status: 'busy' } : { status: 'none' };
      }
      let look;
      try {
        look = await containOnce(options.ports, options.config, pending, runner.containmentGuard);
      } catch (e) {
        await runner.writeRecord((current) => current, true);
        return { status: 'unreachable', error: describeError(e) };
      }
      const { containment, contained } = await recordLook(
        options.ports,
        options.config,
        pending,
        look,
        (next) => runner.writeRecord((current) => ({ ...current, containment: next }), true),
        true,
      );
      return { status: contained ? 'contained' : 'acted', containment };
    },
    () => ({ status: 'busy' }),
  );
}

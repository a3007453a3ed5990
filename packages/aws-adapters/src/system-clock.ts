import type { Clock } from '@dr/failover-core/ports';

/** The `Clock` port on the real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** One labelled tick of a time axis. */
export interface TimeTick {
  /** Seconds since the drill began. */
  readonly seconds: number;
  /** How a person reads it: `0:30`, `2:30` below a minute's step, `4 min` from one, `2 h` from an hour's. */
  readonly label: string;
}

/** The most ticks an axis gets: more and the labels of a printed page run into each other. */
export const MAX_TICKS = 12;

/** Steps a person counts in (seconds): a tick every 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200];
const DAY = 86_400;

/** The smallest step from {@link STEPS} (then whole days) that fits the span in `maxTicks` ticks. */
function stepFor(spanSeconds: number, maxTicks: number): number {
  const fits = (step: number) => Math.floor(spanSeconds / step) + 1 <= maxTicks;
  const step = STEPS.find(fits);
  if (step !== undefined) return step;
  let days = 1;
  while (!fits(days * DAY)) days *= 2;
  return days * DAY;
}

/** `m:ss`: what a stopwatch shows. */
export function stopwatch(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/**
 * Ticks for a time axis from 0 to `spanSeconds`: at most `maxTicks`, at a step a person counts
 * in, each label distinct and in order. A label's unit follows the step, not the value, so a
 * 30 s step reads `0:30 1:00 1:30` and never `1m 1m 2m`. Pure.
 */
export function timeTicks(spanSeconds: number, maxTicks: number = MAX_TICKS): TimeTick[] {
  if (!Number.isFinite(spanSeconds) || spanSeconds < 0)
    throw new RangeError(`spanSeconds must be a finite number of seconds, 0 or more; got ${spanSeconds}`);
  if (!Number.isInteger(maxTicks) || maxTicks < 2) throw new RangeError(`maxTicks must be a whole number, 2 or more; got ${maxTicks}`);
  const step = stepFor(spanSeconds, maxTicks);
  const label = (t: number): string => {
    if (step < 60) return stopwatch(t);
    if (step < 3600) return `${t / 60} min`;
    if (step < DAY) return `${t / 3600} h`;
    return `${t / DAY} d`;
  };
  const ticks: TimeTick[] = [];
  for (let i = 0; i * step <= spanSeconds; i++) ticks.push({ seconds: i * step, label: label(i * step) });
  return ticks;
}

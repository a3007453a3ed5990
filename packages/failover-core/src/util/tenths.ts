/** Figures of time are reported in seconds to a tenth. */

/** Milliseconds as seconds, to a tenth. */
export const secs = (ms: number): number => Math.round(ms / 100) / 10;

/** A number of seconds (a sum of reported figures, say) to a tenth. */
export const roundTenths = (seconds: number): number => Math.round(seconds * 10) / 10;

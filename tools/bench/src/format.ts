/** How the benchmarks print a figure. */

/** A figure to one decimal, or a dash when there is none. */
export const f1 = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toFixed(1));

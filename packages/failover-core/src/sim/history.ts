/**
 * The simulator keeps state as histories of timestamped changes; this is its one look-up of what
 * was in force at a moment: the last item, in the order kept, whose time is at or before `t`.
 * `at` reads an item's time (a change's `at`, a name's `from`, a backup setting's `doneAt`).
 */
export function lastAtOrBefore<T>(items: readonly T[], t: number, at: (item: T) => number): T | undefined {
  let found: T | undefined;
  for (const i of items) if (at(i) <= t) found = i;
  return found;
}

/** The time of a change recorded with `at`. */
export const changedAt = (change: { readonly at: number }): number => change.at;

/** The value in force at `t` in a history of values; before the first change, the first value. */
export const valueAt = (changes: readonly { at: number; value: number }[], t: number): number =>
  (lastAtOrBefore(changes, t, changedAt) ?? changes[0])?.value ?? 0;

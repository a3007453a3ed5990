import type { RunSummary } from '@dr/failover-core';
import type { Output } from './output.js';

type Fate = RunSummary['changes'][number]['fate'];

/** Each fate as an operator reads it, with a mark that stands out in a terminal. */
const FATES: Readonly<
  Record<Fate, { readonly label: string; readonly colour: 'green' | 'cyan' | 'red' | 'yellow'; readonly mark: string }>
> = {
  kept: { label: 'kept', colour: 'green', mark: '•' },
  undone: { label: 'undone', colour: 'cyan', mark: '↺' },
  'not-undone': { label: 'not undone', colour: 'red', mark: '!' },
  'left-to-controller': { label: 'left to the controller', colour: 'yellow', mark: '…' },
};

/**
 * Prints what every run ends with (the engine's `summarizeRun`): each change it made and what
 * became of it, the state now, and the one command to run next. `stamp` gives a change's time
 * (the wall clock in a live run; a drill leaves it out).
 */
export function printRunSummary(out: Output, summary: RunSummary, stamp?: (at: number) => string): void {
  const c = out.color;
  out.heading('What the run changed');
  if (summary.changes.length === 0) out.line(`  ${c.dim('nothing')}`);
  const width = Math.max(...summary.changes.map((ch) => FATES[ch.fate].label.length), 0);
  for (const change of summary.changes) {
    const fate = FATES[change.fate];
    const paint = c[fate.colour];
    const when = stamp ? `${c.dim(stamp(change.at))} ` : '';
    // A call whose answer never came may or may not have taken effect: say so rather than guess.
    const uncertain = change.uncertain ? c.yellow(' (its answer never came: it may not have taken effect)') : '';
    const why = change.why ? c.dim(` — ${change.why}`) : '';
    out.line(`  ${when}${paint(`${fate.mark} ${fate.label.padEnd(width)}`)}  ${change.blockId}: ${change.description}${uncertain}${why}`);
  }
  out.line();
  printNowNext(out, summary);
}

/** The state a run left and the one command to run next, as every run's summary ends. */
export function printNowNext(out: Output, summary: Pick<RunSummary, 'now' | 'next'>, indent = ''): void {
  const c = out.color;
  out.line(`${indent}${c.bold('Now:')} ${summary.now}`);
  out.line(`${indent}${c.bold('Next:')} ${c.bold(summary.next)}`);
}

import type { Plan } from '@dr/failover-core';
import type { DrillProgress, Verdict } from '@dr/failover-core/drill';
import type { RecordedBlock } from './report-chart.js';

/** What a drill's progress told us that the report alone does not: block times, detector verdicts, the fault, the point of no return. */
export class DrillRecorder {
  plan: Plan | undefined;
  faultAt: number | undefined;
  committedAt: number | undefined;
  /** The simulated clock (epoch ms) when the drill began: turns a change's time into seconds since then. */
  startedAt: number | undefined;
  readonly verdicts: { seconds: number; verdict: Verdict }[] = [];
  readonly blocks = new Map<string, RecordedBlock>();

  /** Feed it every progress event of the drill. */
  readonly record = (p: DrillProgress): void => {
    if (p.kind === 'plan') this.plan = p.plan;
    if (p.kind === 'fault') this.faultAt ??= p.seconds;
    if (p.kind === 'verdict' && this.verdicts.at(-1)?.verdict !== p.verdict) this.verdicts.push({ seconds: p.seconds, verdict: p.verdict });
    if (p.kind !== 'timeline') return;
    this.startedAt ??= p.entry.at - p.seconds * 1000;
    if (p.entry.kind === 'committed') this.committedAt ??= p.seconds;
    if (!p.entry.blockId) return;
    const b = this.blocks.get(p.entry.blockId) ?? { stepId: p.entry.stepId ?? '' };
    if (p.entry.kind === 'block-started') b.start ??= p.seconds;
    if (p.entry.kind === 'block-ended') b.end = p.seconds;
    if (p.entry.kind === 'block-failed' || p.entry.kind === 'block-skipped') {
      b.start ??= p.seconds;
      b.end = p.seconds;
      if (p.entry.kind === 'block-failed') b.failed = true;
      else b.skipped = true;
    }
    this.blocks.set(p.entry.blockId, b);
  };
}

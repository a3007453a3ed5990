import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../src/machine/summary.js';
import type { RunState } from '../../src/machine/types.js';
import { runDrill } from '../../src/drill/run-drill.js';
import { config } from '../fixtures.js';

/** The final run of a drill, as its report's summary was built from. */
async function finalRun(options: Parameters<typeof runDrill>[0]): Promise<RunState> {
  let last: RunState | undefined;
  await runDrill({ ...options, onProgress: (p) => void (p.kind === 'timeline' && (last = p.state)) });
  if (!last) throw new Error('no run');
  return last;
}

describe('summarizeRun: what changed, the state now, and the one command next', () => {
  it('after a rollback: every change undone, the old region serving as before, try again once the cause is fixed', async () => {
    const s = summarizeRun(await finalRun({ config, scenario: 'promotion-failure', seed: 2 }));

    expect(s.changes.map((c) => `${c.blockId}:${c.fate}`).sort()).toEqual([
      'fence-dial:undone',
      'fence-weight:undone',
      'scale-compute:undone',
    ]);
    expect(s.now).toBe(
      'Rolled back before the point of no return: traffic goes to eu-west-1 as before, which looked impaired when the run began: it serves again once it recovers.',
    );
    expect(s.next).toMatch(/^dr failover, to try again once this is fixed: .*InvalidDBInstanceState/);
  });

  it('after a switchover rolled back past its promotion: the DR region has no pilot light, rebuild it', async () => {
    const s = summarizeRun(await finalRun({ config, operation: 'switchover', scenario: 'target-fails-mid-switchover', seed: 1 }));

    expect(s.now).toMatch(/us-east-1's database was promoted and stays fenced/);
    expect(s.next).toBe('dr rebuild, once the DR region answers');
  });

  it('after a refusal: nothing changed, and the way past the guard', async () => {
    const s = summarizeRun(await finalRun({ config, scenario: 'replica-lag', seed: 1 }));

    expect(s.changes).toEqual([]);
    expect(s.now).toMatch(/^Nothing was changed: traffic goes to eu-west-1 as before, which looked impaired/);
    expect(s.next).toMatch(/^dr failover --force, to accept losing up to \d+ s of writes/);
  });

  it('after a failure past the point of no return: the DR region is the truth, retry or fail back', async () => {
    // The controller keeps retrying it: the drill reports the last end it came to.
    const s = (await runDrill({ config, scenario: 'no-capacity', seed: 1 })).summary!;

    expect(s.now).toMatch(
      /^Past the point of no return since \d\d:\d\d:\d\d: us-east-1 is the active region; traffic was not moved to us-east-1/,
    );
    expect(s.next).toMatch(/^dr failover, to retry from await-healthy .*\(or dr failback, once eu-west-1 is healthy\)$/);
    expect(s.changes.every((c) => c.fate === 'kept')).toBe(true);
  });
  it('lists a call whose intent was recorded but whose answer was not (the runner lost its lease mid-call) as a change that may have landed', async () => {
    const done = await finalRun({ config, seed: 1 });
    const [block] = Object.entries(done.blocks).filter(([id, b]) => id === 'fence-weight' && b.actedAt !== undefined);
    if (!block) throw new Error('the drill set no endpoint weight');
    const [id, state] = block;
    // The run as the store last held it: the intent written ahead of the call, no answer recorded.
    const stopped: RunState = {
      ...done,
      phase: 'running',
      blocks: { ...done.blocks, [id]: { ...state, status: 'acting', actedAt: undefined } },
    };

    const change = summarizeRun(stopped).changes.find((c) => c.blockId === id);

    expect(change).toMatchObject({ uncertain: true, fate: 'kept', at: state.intentAt });
  });
});

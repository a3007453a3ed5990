import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isLockHeld, isOperationRejected } from '../../src/errors.js';
import { startRun } from '../../src/machine/run-state.js';
import { isTerminal, type RunPhase, type RunState } from '../../src/machine/types.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Operation } from '../../src/plan/types.js';
import { decideDrillStart, decideStart, retryable } from '../../src/runtime/decide-start.js';
import { CLOCK_SKEW_MS, type ControlRecord } from '../../src/runtime/lease.js';
import { config } from '../fixtures.js';

const NOW = 1_700_000_000_000;
const context = { stateKey: 'app#lamp#control', owner: 'cli:alice', now: NOW };
const plan = (operation: Operation, from: 'primary' | 'secondary' = 'primary') => buildPlan(config, operation, { runTag: 'run', from });
const request = (operation: Operation, from: 'primary' | 'secondary' = 'primary') => ({ operation, plan: plan(operation, from) });

/** A stored run of `operation` in `phase`, optionally past its point of no return or with a rollback built. */
function run(operation: Operation, phase: RunPhase, extra: Partial<RunState> = {}): RunState {
  const { state } = startRun({ runId: `${operation}-1`, plan: plan(operation), at: NOW - 60_000, maxDataLossSeconds: 60 });
  return { ...state, phase, ...extra };
}

describe('decideStart', () => {
  it('starts anew on an empty record, from the primary', () => {
    expect(decideStart(undefined, request('failover'), context)).toEqual({ kind: 'start' });
  });

  it('refuses while another controller holds the lease, naming it, and not for its own lease or a lapsed one', () => {
    const held = (owner: string, expiresAt: number): ControlRecord => ({ active: 'primary', lease: { owner, epoch: 3, expiresAt } });

    const other = decideStart(held('lambda', NOW + 1_000), request('failover'), context);

    expect(other).toMatchObject({ kind: 'refuse', reason: 'lease-held' });
    expect(other.kind === 'refuse' && isLockHeld(other.error)).toBe(true);
    expect(other.kind === 'refuse' && other.error.message).toMatch(/held by lambda until/);
    expect(decideStart(held('cli:alice', NOW + 60_000), request('failover'), context)).toEqual({ kind: 'start' });
    expect(decideStart(held('lambda', NOW - CLOCK_SKEW_MS - 1), request('failover'), context)).toEqual({ kind: 'start' });
  });

  it('refuses a failover once traffic is served from the secondary region, saying where it is served', () => {
    const d = decideStart(
      { active: 'secondary', run: run('failover', 'completed', { committedAt: NOW - 1 }) },
      request('failover'),
      context,
    );

    expect(d).toMatchObject({ kind: 'refuse', reason: 'served-elsewhere' });
    expect(d.kind === 'refuse' && isOperationRejected(d.error)).toBe(true);
    expect(d.kind === 'refuse' && d.error.message).toBe(
      'traffic is served from the secondary region already; a failover from the primary region has nothing to do (see dr status)',
    );
  });

  it('resumes an unfinished run of the same operation and refuses another operation over it', () => {
    const unfinished = run('failover', 'running');

    expect(decideStart({ active: 'primary', run: unfinished }, request('failover'), context)).toEqual({ kind: 'resume', run: unfinished });
    expect(decideStart({ active: 'primary', run: unfinished }, request('switchover'), context)).toMatchObject({
      kind: 'refuse',
      reason: 'other-run-unfinished',
    });
  });

  it('retries a failed run that may go on, and refuses another operation over one that left a rollback unfinished', () => {
    const rollback = { at: NOW, reason: 'x', steps: [] };
    const failedBefore = run('switchover', 'failed', { rollback });

    expect(decideStart({ active: 'primary', run: failedBefore }, request('switchover'), context)).toEqual({
      kind: 'retry',
      run: failedBefore,
    });
    expect(decideStart({ active: 'primary', run: failedBefore }, request('failover'), context)).toMatchObject({
      kind: 'refuse',
      reason: 'rollback-unfinished',
    });
  });

  const phases: RunPhase[] = [
    'evaluating',
    'awaiting-approval',
    'running',
    'rolling-back',
    'completed',
    'failed',
    'refused',
    'rolled-back',
  ];
  const operations: Operation[] = ['failover', 'switchover', 'failback', 'rebuild'];
  const records = fc.record({
    active: fc.constantFrom('primary' as const, 'secondary' as const),
    lease: fc.option(
      fc.record({
        owner: fc.constantFrom('cli:alice', 'lambda'),
        epoch: fc.nat(9),
        expiresAt: fc.integer({ min: NOW - 30_000, max: NOW + 30_000 }),
      }),
      { nil: undefined },
    ),
    run: fc.option(
      fc
        .record({
          operation: fc.constantFrom(...operations),
          phase: fc.constantFrom(...phases),
          committed: fc.boolean(),
          rollback: fc.boolean(),
        })
        .map((r) =>
          run(r.operation, r.phase, {
            committedAt: r.committed ? NOW - 1_000 : undefined,
            rollback: r.rollback ? { at: NOW, reason: 'x', steps: [] } : undefined,
          }),
        ),
      { nil: undefined },
    ),
  });

  test.prop([records, fc.constantFrom(...operations), fc.constantFrom('primary' as const, 'secondary' as const)])(
    'never starts over a lease of another controller or an unfinished run, and carries on only a run of the same operation',
    (record, operation, from) => {
      const d = decideStart(record, request(operation, from), context);
      const otherHolds = record.lease !== undefined && record.lease.owner !== context.owner && record.lease.expiresAt + CLOCK_SKEW_MS > NOW;

      if (otherHolds) expect(d).toMatchObject({ kind: 'refuse', reason: 'lease-held' });
      if (d.kind === 'start') {
        expect(record.run === undefined || isTerminal(record.run.phase)).toBe(true);
        expect(record.active).toBe(from);
      }
      if (d.kind === 'resume') expect(d.run).toMatchObject({ operation });
      if (d.kind === 'retry') expect(retryable(d.run) && d.run.operation === operation).toBe(true);
    },
  );
});

describe('decideDrillStart', () => {
  it('starts a drill on an empty record, or on one whose last run ended, while the primary serves', () => {
    expect(decideDrillStart(undefined)).toEqual({ kind: 'start' });
    expect(decideDrillStart({ active: 'primary', run: run('switchover', 'rolled-back') })).toEqual({ kind: 'start' });
  });

  it('refuses over an unfinished run of any operation, in the words decideStart uses for an operation', () => {
    const unfinished = run('failover', 'running');

    const d = decideDrillStart({ active: 'primary', run: unfinished });
    const forOperation = decideStart({ active: 'primary', run: run('switchover', 'running') }, request('failover'), context);

    expect(d).toMatchObject({ kind: 'refuse', reason: 'other-run-unfinished' });
    expect(d.kind === 'refuse' && isOperationRejected(d.error)).toBe(true);
    expect(d.kind === 'refuse' && d.error.message).toBe(
      'an unfinished failover (failover-1) must finish before a drill can start: run dr failover to resume it',
    );
    expect(forOperation.kind === 'refuse' && forOperation.error.message).toBe(
      'an unfinished switchover (switchover-1) must finish before a failover can start: run dr switchover to resume it',
    );
  });

  it('refuses over a rollback left unfinished, and while the secondary serves', () => {
    const failedBefore = run('switchover', 'failed', { rollback: { at: NOW, reason: 'x', steps: [] } });

    expect(decideDrillStart({ active: 'primary', run: failedBefore })).toMatchObject({ kind: 'refuse', reason: 'rollback-unfinished' });
    const elsewhere = decideDrillStart({ active: 'secondary', run: run('failover', 'completed', { committedAt: NOW - 1 }) });
    expect(elsewhere).toMatchObject({ kind: 'refuse', reason: 'served-elsewhere' });
    expect(elsewhere.kind === 'refuse' && elsewhere.error.message).toMatch(/served from the secondary region already.*dr failback/);
  });

  it('is not held back by a lease: the drill takes none', () => {
    expect(decideDrillStart({ active: 'primary', lease: { owner: 'lambda', epoch: 1, expiresAt: NOW + 60_000 } })).toEqual({
      kind: 'start',
    });
  });

  test.prop([
    fc.constantFrom('primary' as const, 'secondary' as const),
    fc.option(
      fc.constantFrom(
        ...(['evaluating', 'running', 'rolling-back', 'awaiting-approval', 'completed', 'failed', 'refused', 'rolled-back'] as RunPhase[]),
      ),
      { nil: undefined },
    ),
  ])('starts only when the primary serves and no run is unfinished', (active, phase) => {
    const record: ControlRecord = { active, run: phase === undefined ? undefined : run('failover', phase) };

    const d = decideDrillStart(record);

    if (d.kind === 'start') {
      expect(active).toBe('primary');
      expect(record.run === undefined || isTerminal(record.run.phase)).toBe(true);
    }
    if (active === 'secondary' || (record.run && !isTerminal(record.run.phase))) expect(d.kind).toBe('refuse');
  });
});

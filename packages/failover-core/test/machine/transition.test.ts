import { describe, expect, it } from 'vitest';
import { startRun, transition } from '../../src/machine/transition.js';
import { DEFAULT_ENGINE_SETTINGS, type Observation, type RunEvent, type RunState, type Transition } from '../../src/machine/types.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { DbStatus, EndpointGroupStatus } from '../../src/ports.js';
import { config } from '../fixtures.js';

const T0 = 1_000_000;
const failover = buildPlan(config, 'failover');
const switchover = buildPlan(config, 'switchover');
const replica: DbStatus = {
  exists: true,
  status: 'available',
  role: 'replica',
  writable: false,
  writeFenced: false,
  replicaLagSeconds: 2,
  readOnly: 'default',
  parameterGroup: { name: 'lamp-replica-params', applyStatus: 'in-sync' },
};
const promoted: DbStatus = { ...replica, role: 'primary', writable: true, replicaLagSeconds: undefined };
const servingGroup: EndpointGroupStatus = { trafficDialPercent: 100, endpointWeight: 128, healthy: true };

function started(plan = failover, overrides: Partial<Parameters<typeof startRun>[0]> = {}): RunState {
  return startRun({ runId: 'r1', plan, at: T0, maxDataLossSeconds: 60, ...overrides }).state;
}

/** A run past its preconditions, at the first step. */
function running(plan = failover): Transition {
  return transition(started(plan), { kind: 'preconditions-evaluated', at: T0 + 1, problems: [], replicaLagSeconds: 2 });
}

const tickOf = (state: RunState, blockId: string) => state.blocks[blockId]?.tick ?? -1;
const observe = (state: RunState, blockId: string, observation: Observation, at: number): Transition =>
  transition(state, { kind: 'observed', at, blockId, tick: tickOf(state, blockId), observation });
const acted = (state: RunState, blockId: string, at: number): Transition =>
  transition(state, { kind: 'acted', at, blockId, tick: tickOf(state, blockId) });
const fire = (state: RunState, blockId: string, at: number): Transition =>
  transition(state, { kind: 'timer-fired', at, blockId, tick: tickOf(state, blockId) });

/** Drives the first step of a failover to done: traffic fenced, capacity set, the target's fence lifted. */
function pastPrepare(): RunState {
  let s = running().state;
  const group = { kind: 'endpoint-group', status: servingGroup } as const;
  for (const id of ['fence-weight', 'fence-dial']) {
    s = observe(s, id, group, T0 + 2).state;
    s = acted(s, id, T0 + 3).state;
    s = fire(s, id, T0 + 3).state;
    s = observe(s, id, { kind: 'endpoint-group', status: { trafficDialPercent: 0, endpointWeight: 0, healthy: false } }, T0 + 4).state;
  }
  s = observe(
    s,
    'scale-compute',
    { kind: 'capacity', status: { min: 0, desired: 0, max: 4, inService: 0, healthyTargets: 0 } },
    T0 + 2,
  ).state;
  s = acted(s, 'scale-compute', T0 + 3).state;
  s = fire(s, 'scale-compute', T0 + 3).state;
  s = observe(
    s,
    'scale-compute',
    { kind: 'capacity', status: { min: 2, desired: 2, max: 4, inService: 0, healthyTargets: 0 } },
    T0 + 4,
  ).state;
  return observe(s, 'lift-fence', { kind: 'database', status: replica }, T0 + 4).state;
}

describe('startRun', () => {
  it('creates a persisted-shape state and asks for plan evaluation first', () => {
    const t = startRun({ runId: 'r1', plan: failover, at: T0, maxDataLossSeconds: 60 });

    expect(t.state).toMatchObject({ schemaVersion: 2, phase: 'evaluating', stepIndex: 0, rpoRisked: false, trigger: 'operator' });
    expect(t.commands).toEqual([{ kind: 'evaluate-preconditions', confirmImpairment: false }]);
    expect(JSON.parse(JSON.stringify(t.state))).toEqual(t.state);
  });
});

describe('transition: starting', () => {
  it('starts every block of the first step in parallel by observing it', () => {
    const t = running();

    expect(t.state.phase).toBe('running');
    expect(t.commands.map((c) => c.kind === 'observe' && c.blockId)).toEqual(['fence-weight', 'fence-dial', 'scale-compute', 'lift-fence']);
  });

  it('refuses when the RPO guard objects and the run is not forced, and says what to run next', () => {
    const t = transition(started(), {
      kind: 'preconditions-evaluated',
      at: T0 + 1,
      problems: [{ kind: 'rpo', message: 'replica lag 120s exceeds 60s' }],
      replicaLagSeconds: 120,
    });

    expect(t.state.phase).toBe('refused');
    expect(t.state.rpoSeconds).toBe(120);
    expect(t.commands).toEqual([
      expect.objectContaining({
        kind: 'notify',
        notification: expect.objectContaining({ severity: 'critical', message: expect.stringContaining('Next: dr failover --force') }),
      }),
    ]);
  });

  it('proceeds past the RPO guard when forced, and records the window risked', () => {
    const t = transition(started(failover, { force: true }), {
      kind: 'preconditions-evaluated',
      at: T0 + 1,
      problems: [{ kind: 'rpo', message: 'lag 120s' }],
      replicaLagSeconds: 120,
    });

    expect(t.state).toMatchObject({ phase: 'running', rpoRisked: true, rpoSeconds: 120 });
  });

  it('refuses a failed precondition even when forced', () => {
    const t = transition(started(failover, { force: true }), {
      kind: 'preconditions-evaluated',
      at: T0 + 1,
      problems: [{ kind: 'precondition', message: 'replica not found' }],
    });

    expect(t.state.phase).toBe('refused');
  });
});

describe('transition: approvals', () => {
  const asked = () =>
    transition(started(failover, { approvalRequired: true, trigger: 'detector', approvalTimeoutSeconds: 1_800 }), {
      kind: 'preconditions-evaluated',
      at: T0 + 1,
      problems: [],
    });

  it('waits for an approval, then checks the world again (and the detector, for its run) before anything changes', () => {
    const waiting = asked();
    const approved = transition(waiting.state, { kind: 'approval-granted', at: T0 + 60_000, by: 'alice' });

    expect(waiting.state).toMatchObject({ phase: 'awaiting-approval', approvalRequestedAt: T0 + 1, approvalExpiresAt: T0 + 1 + 1_800_000 });
    expect(waiting.commands).toEqual([{ kind: 'request-approval' }]);
    expect(approved.state).toMatchObject({ phase: 'evaluating', approvedBy: 'alice' });
    expect(approved.commands).toEqual([{ kind: 'evaluate-preconditions', confirmImpairment: true }]);
  });

  it('runs once the re-check passes, and refuses when the primary recovered meanwhile', () => {
    const approved = transition(asked().state, { kind: 'approval-granted', at: T0 + 60_000, by: 'alice' }).state;

    const go = transition(approved, { kind: 'preconditions-evaluated', at: T0 + 61_000, problems: [] });
    const stop = transition(approved, {
      kind: 'preconditions-evaluated',
      at: T0 + 61_000,
      problems: [{ kind: 'recovered', message: 'the primary no longer looks impaired (probe up)' }],
    });

    expect(go.state.phase).toBe('running');
    expect(stop.state.phase).toBe('refused');
    expect(stop.commands[0]).toMatchObject({ kind: 'notify', notification: { message: expect.stringContaining('nothing to do') } });
  });

  it('refuses an approval that comes after it expired, and lets the controller expire it', () => {
    const waiting = asked().state;

    const late = transition(waiting, { kind: 'approval-granted', at: T0 + 1 + 1_800_001, by: 'alice' });
    const expired = transition(waiting, { kind: 'approval-expired', at: T0 + 1 + 1_800_000 });
    const early = transition(waiting, { kind: 'approval-expired', at: T0 + 60_000 });

    expect(late.state.phase).toBe('refused');
    expect(late.state.timeline.at(-1)?.message).toMatch(/expire after 30 min/);
    expect(expired.state.phase).toBe('refused');
    expect(early.state).toBe(waiting);
  });
});

describe('transition: acting', () => {
  it('records the intent and the value before acting, then observes at once after the call returns', () => {
    const s = running().state;
    const t1 = observe(s, 'fence-weight', { kind: 'endpoint-group', status: servingGroup }, T0 + 2);
    const t2 = acted(t1.state, 'fence-weight', T0 + 3);

    expect(t1.state.blocks['fence-weight']).toMatchObject({
      status: 'acting',
      intentAt: T0 + 2,
      attempts: 1,
      before: { kind: 'weight', weight: 128 },
    });
    expect(t1.commands).toEqual([{ kind: 'act', blockId: 'fence-weight', tick: 2 }]);
    expect(t2.commands).toEqual([{ kind: 'wait', blockId: 'fence-weight', tick: 3, ms: 0 }]);
  });

  it('does not promote again while a promotion that returned still shows "available" (the waiter race), and repeats it only after the settle time', () => {
    let s = pastPrepare();
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    s = acted(s, 'promote-replica', T0 + 11).state;
    s = fire(s, 'promote-replica', T0 + 11).state;

    const soon = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 12);
    const late = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10 + DEFAULT_ENGINE_SETTINGS.settleMs);

    expect(soon.commands).toEqual([{ kind: 'wait', blockId: 'promote-replica', tick: 5, ms: DEFAULT_ENGINE_SETTINGS.pollMs }]);
    expect(late.commands).toEqual([{ kind: 'act', blockId: 'promote-replica', tick: 5 }]);
  });

  it('ignores duplicated and stale events', () => {
    const s = observe(running().state, 'fence-weight', { kind: 'endpoint-group', status: servingGroup }, T0 + 2).state;

    const stale = transition(s, {
      kind: 'observed',
      at: T0 + 3,
      blockId: 'fence-weight',
      tick: 1,
      observation: { kind: 'endpoint-group', status: servingGroup },
    });
    const staleTimer = transition(s, { kind: 'timer-fired', at: T0 + 3, blockId: 'fence-weight', tick: 1 });

    expect(stale).toEqual({ state: s, commands: [] });
    expect(staleTimer).toEqual({ state: s, commands: [] });
  });

  it('passes the point of no return when the promotion is accepted, and says the target is active', () => {
    let s = pastPrepare();
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;

    const t = acted(s, 'promote-replica', T0 + 11);

    expect(s.committedAt).toBeUndefined();
    expect(t.state.committedAt).toBe(T0 + 11);
    expect(t.state.timeline.at(-1)).toMatchObject({ kind: 'committed', blockId: 'promote-replica' });
  });

  it('counts a promotion whose answer was lost as past the point of no return', () => {
    let s = pastPrepare();
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;

    const t = transition(s, {
      kind: 'act-failed',
      at: T0 + 20,
      blockId: 'promote-replica',
      tick: tickOf(s, 'promote-replica'),
      error: 'timed out',
      cause: 'unreachable',
      retryable: true,
      landed: 'unknown',
    });

    expect(t.state.committedAt).toBe(T0 + 20);
    expect(t.state.blocks['promote-replica']).toMatchObject({ uncertain: true, intentAt: T0 + 10 });
  });

  it('fences the old primary only after the promotion is accepted and the drain time has passed', () => {
    let s = pastPrepare();
    const old = { kind: 'database', status: { ...promoted, readOnly: 'default' } } as const;
    const before = observe(s, 'contain-writes', old, T0 + 10);
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    s = acted(s, 'promote-replica', T0 + 11).state;
    s = before.state;

    expect(before.commands).toEqual([{ kind: 'wait', blockId: 'contain-writes', tick: 2, ms: DEFAULT_ENGINE_SETTINGS.pollMs }]);
    let committed = observe(pastPrepare(), 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    committed = acted(committed, 'promote-replica', T0 + 11).state;
    const tooSoon = observe(committed, 'contain-writes', old, T0 + 20_000);
    const drained = observe(committed, 'contain-writes', old, T0 + 4 + config.timeouts.drainSeconds * 1000 + 1);
    expect(tooSoon.commands[0]).toMatchObject({ kind: 'wait' });
    expect(drained.commands[0]).toMatchObject({ kind: 'act', blockId: 'contain-writes' });
  });
});

describe('transition: the traffic guard', () => {
  it('refuses to open traffic to a region whose database is not yet writable, failing the run', () => {
    const s = started(failover);
    const forced: RunState = {
      ...s,
      phase: 'running',
      committedAt: T0,
      stepIndex: failover.steps.findIndex((x) => x.id === 'shift-traffic'),
      blocks: { ...s.blocks, 'open-weight': { status: 'observing', tick: 1, attempts: 0, failures: 0, startedAt: T0 } },
    };

    const t = observe(
      forced,
      'open-weight',
      { kind: 'endpoint-group', status: { trafficDialPercent: 0, endpointWeight: 0, healthy: true } },
      T0 + 1,
    );

    expect(t.state.phase).toBe('failed');
    expect(t.state.failure?.message).toMatch(/refusing to send traffic to us-east-1/);
  });
});

describe('transition: rollback before the point of no return', () => {
  /** A failover whose promotion AWS refuses, after the first step changed weights, dial and capacity. */
  function refused(): Transition {
    let s = pastPrepare();
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    return transition(s, {
      kind: 'act-failed',
      at: T0 + 11,
      blockId: 'promote-replica',
      tick: tickOf(s, 'promote-replica'),
      error: 'InvalidDBInstanceState: storage-full',
      cause: 'rejected',
      retryable: false,
      landed: 'no',
    });
  }

  it('undoes the changes newest first, each restoring the value seen before', () => {
    const t = refused();

    expect(t.state.phase).toBe('rolling-back');
    expect(t.state.committedAt).toBeUndefined();
    expect(t.state.rollback?.steps.map((s) => s.blocks[0]?.id)).toEqual(['undo-scale-compute', 'undo-fence-dial', 'undo-fence-weight']);
    expect(t.state.rollback?.steps.map((s) => s.blocks[0]?.action)).toEqual([
      expect.objectContaining({ kind: 'set-capacity', capacity: { min: 0, desired: 0, max: 4 } }),
      expect.objectContaining({ kind: 'set-traffic-dial', percent: 100 }),
      expect.objectContaining({ kind: 'set-endpoint-weight', weight: 128 }),
    ]);
    expect(t.commands.map((c) => c.kind)).toEqual(['notify', 'observe']);
  });

  it('makes a restore in the region it was moving to best effort: the controller contains what it cannot reach', () => {
    const steps = refused().state.rollback?.steps ?? [];

    expect(steps.find((s) => s.id === 'undo-scale-compute')?.blocks[0]?.bestEffort).toBe(true);
    expect(steps.find((s) => s.id === 'undo-fence-weight')?.blocks[0]?.bestEffort).toBeUndefined();
  });

  it('ends rolled back once every undo is done, and routes traffic to the old region as before', () => {
    let s = refused().state;
    const restore = (id: string, observation: Observation, after: Observation) => {
      s = observe(s, id, observation, T0 + 100).state;
      s = acted(s, id, T0 + 101).state;
      s = fire(s, id, T0 + 101).state;
      s = observe(s, id, after, T0 + 102).state;
    };
    restore(
      'undo-scale-compute',
      { kind: 'capacity', status: { min: 2, desired: 2, max: 4, inService: 0, healthyTargets: 0 } },
      { kind: 'capacity', status: { min: 0, desired: 0, max: 4, inService: 0, healthyTargets: 0 } },
    );
    restore(
      'undo-fence-dial',
      { kind: 'endpoint-group', status: { trafficDialPercent: 0, endpointWeight: 0, healthy: false } },
      { kind: 'endpoint-group', status: { trafficDialPercent: 100, endpointWeight: 0, healthy: false } },
    );
    restore(
      'undo-fence-weight',
      { kind: 'endpoint-group', status: { trafficDialPercent: 100, endpointWeight: 0, healthy: false } },
      { kind: 'endpoint-group', status: servingGroup },
    );

    expect(s.phase).toBe('rolled-back');
    expect(s.timeline.at(-1)).toMatchObject({ kind: 'rolled-back' });
  });

  it('waits for a call still in flight before undoing, so its effect is undone too', () => {
    const s = running().state;
    let t = observe(s, 'fence-weight', { kind: 'endpoint-group', status: servingGroup }, T0 + 2);
    const inFlight = t.state;
    t = transition(inFlight, {
      kind: 'observed',
      at: T0 + 2,
      blockId: 'scale-compute',
      tick: tickOf(inFlight, 'scale-compute'),
      observation: { kind: 'capacity', status: { min: 0, desired: 0, max: 4, inService: 0, healthyTargets: 0 } },
    });
    t = transition(t.state, {
      kind: 'act-failed',
      at: T0 + 3,
      blockId: 'scale-compute',
      tick: tickOf(t.state, 'scale-compute'),
      error: 'ValidationError',
      cause: 'rejected',
      retryable: false,
      landed: 'no',
    });

    expect(t.state).toMatchObject({ phase: 'rolling-back', stepIndex: -1 });
    expect(t.commands.filter((c) => c.kind === 'observe')).toEqual([]);

    const answered = acted(t.state, 'fence-weight', T0 + 4);

    expect(answered.state.stepIndex).toBe(0);
    expect(answered.state.rollback?.steps.map((x) => x.id)).toEqual(['undo-fence-weight']);
    expect(answered.commands).toEqual([{ kind: 'observe', blockId: 'undo-fence-weight', tick: 1 }]);
  });

  it('gives up on a target region that does not answer before the point of no return, and rolls back', () => {
    let s = pastPrepare();
    s = transition(s, {
      kind: 'observe-failed',
      at: T0 + 10,
      blockId: 'promote-replica',
      tick: tickOf(s, 'promote-replica'),
      error: 'us-east-1 did not answer',
      cause: 'unreachable',
    }).state;
    s = fire(s, 'promote-replica', T0 + 11).state;

    const t = transition(s, {
      kind: 'observe-failed',
      at: T0 + 10 + config.timeouts.unreachableSeconds * 1000,
      blockId: 'promote-replica',
      tick: tickOf(s, 'promote-replica'),
      error: 'us-east-1 did not answer',
      cause: 'unreachable',
    });

    expect(t.state.phase).toBe('rolling-back');
    expect(t.state.failure?.message).toMatch(/us-east-1 did not answer for 60 s/);
  });

  it('rolls back on an operator abort before the point of no return, and only notes one after it', () => {
    let s = pastPrepare();
    const before = transition(s, { kind: 'abort-requested', at: T0 + 10, reason: 'the primary recovered' });
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    s = acted(s, 'promote-replica', T0 + 11).state;
    const after = transition(s, { kind: 'abort-requested', at: T0 + 12, reason: 'the primary recovered' });

    expect(before.state.phase).toBe('rolling-back');
    expect(after.state.phase).toBe('running');
    expect(after.state.timeline.at(-1)).toMatchObject({ kind: 'aborted', message: expect.stringContaining('the run goes on') });
  });
});

describe('transition: after the point of no return', () => {
  function failedAfterCommit(): RunState {
    let s = pastPrepare();
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    s = acted(s, 'promote-replica', T0 + 11).state;
    s = fire(s, 'promote-replica', T0 + 11).state;
    s = observe(s, 'promote-replica', { kind: 'database', status: promoted }, T0 + 400_000).state;
    s = observe(s, 'contain-writes', { kind: 'database', status: { ...promoted, readOnly: 'on', writeFenced: true } }, T0 + 400_000).state;
    s = observe(s, 'await-writable', { kind: 'database', status: promoted }, T0 + 400_001).state;
    return observe(
      s,
      'await-healthy',
      { kind: 'capacity', status: { min: 2, desired: 2, max: 4, inService: 0, healthyTargets: 0 } },
      T0 + 400_002 + config.timeouts.healthySeconds * 1000,
    ).state;
  }

  it('fails without undoing anything once the promotion was accepted, naming the retry', () => {
    const s = failedAfterCommit();

    expect(s.phase).toBe('failed');
    expect(s.rollback).toBeUndefined();
    expect(s.failure).toMatchObject({ blockId: 'await-healthy', stepId: 'await-ready' });
  });

  it('retries from the failed block with a fresh timeout, keeping what is done', () => {
    const s = failedAfterCommit();
    const at = T0 + 2_000_000;

    const t = transition(s, { kind: 'retry-requested', at, by: 'alice' });

    expect(t.state.phase).toBe('running');
    expect(t.state.blocks['await-healthy']).toMatchObject({ status: 'observing', startedAt: at, failures: 0 });
    expect(t.state.blocks['await-healthy']?.endedAt).toBeUndefined();
    expect(t.state.blocks['await-writable']?.status).toBe('done');
    expect(t.commands).toEqual([{ kind: 'observe', blockId: 'await-healthy', tick: expect.any(Number) }]);
  });
});

describe('transition: timeouts in wall time', () => {
  it('fails a block its timeout after it started, however long controllers were away', () => {
    let s = pastPrepare();
    s = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 10).state;
    s = acted(s, 'promote-replica', T0 + 11).state;
    const resumed = transition(s, { kind: 'resumed', at: T0 + 2_000_000 });

    const t = observe(resumed.state, 'promote-replica', { kind: 'database', status: { ...replica, status: 'modifying' } }, T0 + 2_000_001);

    expect(t.state.phase).toBe('failed');
    expect(t.state.failure?.message).toMatch(/timed out after 1200s/);
  });
});

describe('transition: a planned handover', () => {
  it('drains traffic before fencing writes, keeps the target fenced through its promotion, and commits by lifting that fence', () => {
    const ids = switchover.steps.map((s) => s.id);

    expect(ids).toEqual([
      'scale',
      'await-capacity',
      'drain',
      'await-drain',
      'fence-writes',
      'sync',
      'promote',
      'commit',
      'await-writable',
      'shift-traffic',
      'verify',
      'contain',
    ]);
    expect(switchover.steps.find((s) => s.id === 'commit')?.blocks).toEqual([expect.objectContaining({ id: 'lift-fence', commits: true })]);
    expect(switchover.steps.find((s) => s.id === 'promote')?.blocks[0]?.commits).toBeUndefined();
  });

  it('waits the drain time after traffic stops before it fences writes', () => {
    const s = started(switchover);
    const at = T0 + 100;
    const draining: RunState = {
      ...s,
      phase: 'running',
      stepIndex: 3,
      blocks: { ...s.blocks, 'await-drain': { status: 'observing', tick: 1, attempts: 0, failures: 0, startedAt: at } },
    };
    const drained = { kind: 'endpoint-group', status: { trafficDialPercent: 0, endpointWeight: 0, healthy: true } } as const;

    expect(observe(draining, 'await-drain', drained, at + 30_000).commands[0]).toMatchObject({ kind: 'wait' });
    expect(observe(draining, 'await-drain', drained, at + 60_000).state.blocks['await-drain']?.status).toBe('done');
  });
});

describe('transition: resuming', () => {
  it('observes every unfinished block of the step before doing anything, and gives a call in flight a fresh settle time', () => {
    let s = running().state;
    s = observe(s, 'fence-weight', { kind: 'endpoint-group', status: servingGroup }, T0 + 2).state;

    const t = transition(JSON.parse(JSON.stringify(s)) as RunState, { kind: 'resumed', at: T0 + 90_000 } satisfies RunEvent);

    expect(t.commands.map((c) => c.kind === 'observe' && c.blockId)).toEqual(['fence-weight', 'fence-dial', 'scale-compute', 'lift-fence']);
    expect(t.state.blocks['fence-weight']).toMatchObject({ status: 'observing', intentAt: T0 + 90_000 });
  });
});

describe('transition: a detector run confirms, then commits only after a fresh look', () => {
  const detectorPlan = buildPlan(config, 'failover', { confirmImpairment: true });
  const signals = (at: number, fails: boolean, seesHealthy = false): Observation => ({
    kind: 'signals',
    at,
    fails,
    seesHealthy,
    readings: 'probe down (0s old)',
  });

  /** A detector run with its impairment confirmed at `confirmedAt`, now at the step that fences traffic. */
  function confirmed(confirmedAt: number): RunState {
    let s = transition(started(detectorPlan, { trigger: 'detector', impairedAt: T0 - 100_000 }), {
      kind: 'preconditions-evaluated',
      at: T0 + 1,
      problems: [],
      replicaLagSeconds: 2,
    }).state;
    s = observe(
      s,
      'scale-compute',
      { kind: 'capacity', status: { min: 2, desired: 2, max: 4, inService: 0, healthyTargets: 0 } },
      T0 + 2,
    ).state;
    s = observe(s, 'lift-fence', { kind: 'database', status: replica }, T0 + 2).state;
    expect(s.plan.steps[s.stepIndex]?.id).toBe('confirm');
    s = observe(s, 'confirm-impairment', signals(confirmedAt, true), confirmedAt).state;
    expect(s.plan.steps[s.stepIndex]?.id).toBe('fence-traffic');
    return s;
  }

  it('fences traffic at once after a fresh confirmation, and promotes only after the fence', () => {
    const s = confirmed(T0 + 10);
    const t = observe(s, 'fence-weight', { kind: 'endpoint-group', status: servingGroup }, T0 + 11);

    expect(t.commands).toEqual([{ kind: 'act', blockId: 'fence-weight', tick: tickOf(t.state, 'fence-weight') }]);
    expect(t.state.blocks['promote-replica']?.status).toBe('pending');
  });

  it('looks again when the confirmation has gone stale (a run resumed after a crash), and rolls back if the primary recovered', () => {
    const s = confirmed(T0 + 10);
    const resumedAt = T0 + 10 + 2 * 60_000;
    const resumed = transition(s, { kind: 'resumed', at: resumedAt }).state;

    const back = observe(resumed, 'fence-weight', { kind: 'endpoint-group', status: servingGroup }, resumedAt + 1);

    expect(back.state.plan.steps[back.state.stepIndex]?.id).toBe('confirm');
    expect(back.commands).toEqual([{ kind: 'observe', blockId: 'confirm-impairment', tick: tickOf(back.state, 'confirm-impairment') }]);
    expect(back.state.timeline.at(-3)?.message).toMatch(/last confirmed 120 s ago: looking again before the point of no return/);
    const recovered = observe(back.state, 'confirm-impairment', signals(resumedAt + 2, false, true), resumedAt + 2);
    expect(['rolling-back', 'rolled-back']).toContain(recovered.state.phase);
    expect(recovered.state.failure?.blockId).toBe('confirm-impairment');
    expect(recovered.state.committedAt).toBeUndefined();
  });
});

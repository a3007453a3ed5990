import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  DEFAULT_ENGINE_SETTINGS,
  startRun,
  transition,
  type DbStatus,
  type Observation,
  type RunState,
  type Transition,
} from '../../src/index.js';
import { config } from '../fixtures.js';

const T0 = 1_000_000;
const plan = buildPlan(config, 'failover');
const replica: DbStatus = { exists: true, status: 'available', role: 'replica', writable: false, writeFenced: false, replicaLagSeconds: 2 };
const promoted: DbStatus = { ...replica, role: 'primary', writable: true, replicaLagSeconds: undefined };

function started(overrides: Partial<Parameters<typeof startRun>[0]> = {}): RunState {
  return startRun({ runId: 'r1', plan, at: T0, maxDataLossSeconds: 60, ...overrides }).state;
}

/** A run past its preconditions, at the first step. */
function running(): Transition {
  return transition(started(), { kind: 'preconditions-evaluated', at: T0 + 1, problems: [], replicaLagSeconds: 2 });
}

const observe = (state: RunState, blockId: string, observation: Observation, at: number): Transition =>
  transition(state, { kind: 'observed', at, blockId, tick: state.blocks[blockId]?.tick ?? -1, observation });

describe('startRun', () => {
  it('creates a persisted-shape state and asks for plan evaluation first', () => {
    const t = startRun({ runId: 'r1', plan, at: T0, maxDataLossSeconds: 60 });

    expect(t.state).toMatchObject({ schemaVersion: 1, phase: 'evaluating', stepIndex: 0, rpoRisked: false });
    expect(t.commands).toEqual([{ kind: 'evaluate-preconditions' }]);
    expect(JSON.parse(JSON.stringify(t.state))).toEqual(t.state);
  });
});

describe('transition', () => {
  it('starts every block of the first step in parallel by observing it', () => {
    const t = running();

    expect(t.state.phase).toBe('running');
    expect(t.commands.map((c) => c.kind === 'observe' && c.blockId)).toEqual(['fence-weight', 'fence-dial', 'promote-replica', 'scale-compute']);
  });

  it('refuses when the RPO guard objects and the run is not forced', () => {
    const t = transition(started(), { kind: 'preconditions-evaluated', at: T0 + 1, problems: [{ kind: 'rpo', message: 'replica lag 120s exceeds 60s' }], replicaLagSeconds: 120 });

    expect(t.state.phase).toBe('refused');
    expect(t.state.rpoSeconds).toBe(120);
    expect(t.commands).toEqual([expect.objectContaining({ kind: 'notify', notification: expect.objectContaining({ severity: 'critical' }) })]);
  });

  it('proceeds past the RPO guard when forced, and records the window risked', () => {
    const t = transition(started({ force: true }), { kind: 'preconditions-evaluated', at: T0 + 1, problems: [{ kind: 'rpo', message: 'lag 120s' }], replicaLagSeconds: 120 });

    expect(t.state).toMatchObject({ phase: 'running', rpoRisked: true, rpoSeconds: 120 });
  });

  it('refuses a failed precondition even when forced', () => {
    const t = transition(started({ force: true }), { kind: 'preconditions-evaluated', at: T0 + 1, problems: [{ kind: 'precondition', message: 'replica not found' }] });

    expect(t.state.phase).toBe('refused');
  });

  it('waits for an approval when one is required, then runs', () => {
    const waiting = transition(started({ approvalRequired: true }), { kind: 'preconditions-evaluated', at: T0 + 1, problems: [] });
    const approved = transition(waiting.state, { kind: 'approval-granted', at: T0 + 5, by: 'alice' });

    expect(waiting.state.phase).toBe('awaiting-approval');
    expect(waiting.commands).toEqual([{ kind: 'request-approval' }]);
    expect(approved.state).toMatchObject({ phase: 'running', approvedBy: 'alice' });
  });

  it('records the intent before acting, then observes at once after the call returns', () => {
    const t1 = observe(running().state, 'promote-replica', { kind: 'database', status: replica }, T0 + 2);
    const t2 = transition(t1.state, { kind: 'acted', at: T0 + 3, blockId: 'promote-replica', tick: t1.state.blocks['promote-replica']!.tick });

    expect(t1.state.blocks['promote-replica']).toMatchObject({ status: 'acting', intentAt: T0 + 2, attempts: 1 });
    expect(t1.state.rpoSeconds).toBe(2);
    expect(t1.commands).toEqual([{ kind: 'act', blockId: 'promote-replica', tick: 2 }]);
    expect(t2.commands).toEqual([{ kind: 'wait', blockId: 'promote-replica', tick: 3, ms: 0 }]);
  });

  it('does not promote again while a promotion that returned still shows "available" (the waiter race)', () => {
    let s = observe(running().state, 'promote-replica', { kind: 'database', status: replica }, T0 + 2).state;
    s = transition(s, { kind: 'acted', at: T0 + 3, blockId: 'promote-replica', tick: 2 }).state;
    s = transition(s, { kind: 'timer-fired', at: T0 + 3, blockId: 'promote-replica', tick: 3 }).state;

    const t = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 4);

    expect(t.commands).toEqual([{ kind: 'wait', blockId: 'promote-replica', tick: 5, ms: DEFAULT_ENGINE_SETTINGS.pollMs }]);
    expect(t.state.blocks['promote-replica']?.attempts).toBe(1);
  });

  it('repeats a call that never took effect once the settle time has passed', () => {
    let s = observe(running().state, 'promote-replica', { kind: 'database', status: replica }, T0 + 2).state;
    s = transition(s, { kind: 'acted', at: T0 + 3, blockId: 'promote-replica', tick: 2 }).state;
    s = transition(s, { kind: 'timer-fired', at: T0 + 3, blockId: 'promote-replica', tick: 3 }).state;

    const t = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 2 + DEFAULT_ENGINE_SETTINGS.settleMs);

    expect(t.commands).toEqual([{ kind: 'act', blockId: 'promote-replica', tick: 5 }]);
  });

  it('ignores duplicated and stale events', () => {
    const s = observe(running().state, 'promote-replica', { kind: 'database', status: replica }, T0 + 2).state;

    const duplicate = observe({ ...s, blocks: { ...s.blocks, 'promote-replica': { ...s.blocks['promote-replica']!, tick: 1 } } }, 'promote-replica', { kind: 'database', status: promoted }, T0 + 3);
    const stale = transition(s, { kind: 'observed', at: T0 + 3, blockId: 'promote-replica', tick: 1, observation: { kind: 'database', status: replica } });
    const staleTimer = transition(s, { kind: 'timer-fired', at: T0 + 3, blockId: 'promote-replica', tick: 1 });

    expect(stale).toEqual({ state: s, commands: [] });
    expect(staleTimer).toEqual({ state: s, commands: [] });
    expect(duplicate.commands).toEqual([]);
  });

  it('backs off and retries a throttled call, then fails naming the block when it cannot succeed', () => {
    const s = observe(running().state, 'scale-compute', { kind: 'capacity', status: { min: 0, desired: 0, max: 4, inService: 0, healthyTargets: 0 } }, T0 + 2).state;

    const retry = transition(s, { kind: 'act-failed', at: T0 + 3, blockId: 'scale-compute', tick: 2, error: 'Rate exceeded', retryable: true, landed: 'no' });
    const fatal = transition(s, { kind: 'act-failed', at: T0 + 3, blockId: 'scale-compute', tick: 2, error: 'AccessDenied', retryable: false, landed: 'no' });

    expect(retry.commands).toEqual([expect.objectContaining({ kind: 'wait', blockId: 'scale-compute' })]);
    expect(retry.state.blocks['scale-compute']).toMatchObject({ status: 'waiting', failures: 1, intentAt: undefined });
    expect(fatal.state).toMatchObject({ phase: 'failed', failure: { blockId: 'scale-compute', stepId: 'fence-promote-scale', message: 'AccessDenied' } });
  });

  it('keeps the intent of a call that timed out, so a promotion that landed is not repeated', () => {
    let s = observe(running().state, 'promote-replica', { kind: 'database', status: replica }, T0 + 2).state;
    s = transition(s, { kind: 'act-failed', at: T0 + 10_002, blockId: 'promote-replica', tick: 2, error: 'us-east-1 did not answer', retryable: true, landed: 'unknown' }).state;
    s = transition(s, { kind: 'timer-fired', at: T0 + 12_000, blockId: 'promote-replica', tick: 3 }).state;

    const t = observe(s, 'promote-replica', { kind: 'database', status: replica }, T0 + 12_100);

    expect(s.blocks['promote-replica']?.intentAt).toBe(T0 + 2);
    expect(t.commands).toEqual([expect.objectContaining({ kind: 'wait' })]);
  });

  it('fails a wait that runs past its timeout, saying where and why', () => {
    const s = running().state;
    const late = T0 + config.timeouts.promotionSeconds * 1000 + 10;

    const t = observe(s, 'promote-replica', { kind: 'database', status: { ...replica, status: 'modifying' } }, late);

    expect(t.state.phase).toBe('failed');
    expect(t.state.failure?.message).toMatch(/^timed out after 1200s \(replica, modifying\)/);
  });

  it('refuses to open traffic to a region whose waits are not done, whatever the plan says', () => {
    const [act, wait, shift, verify] = plan.steps;
    const bad = { ...plan, steps: [shift!, act!, wait!, verify!] };
    let s = transition(startRun({ runId: 'r', plan: bad, at: T0, maxDataLossSeconds: 60 }).state, { kind: 'preconditions-evaluated', at: T0, problems: [] }).state;

    s = observe(s, 'open-weight', { kind: 'endpoint-group', status: { trafficDialPercent: 0, endpointWeight: 0, healthy: false } }, T0 + 1).state;

    expect(s.phase).toBe('failed');
    expect(s.failure?.message).toMatch(/refusing to send traffic to us-east-1 before its database is writable/);
  });

  it('moves to the next step only when every block of the step is done', () => {
    let s = running().state;
    const group = { kind: 'endpoint-group' as const, status: { trafficDialPercent: 0, endpointWeight: 0, healthy: false } };
    s = observe(s, 'fence-weight', group, T0 + 2).state;
    s = observe(s, 'fence-dial', group, T0 + 2).state;
    s = observe(s, 'scale-compute', { kind: 'capacity', status: { min: 2, desired: 2, max: 4, inService: 0, healthyTargets: 0 } }, T0 + 2).state;
    expect(s.stepIndex).toBe(0);

    const t = observe(s, 'promote-replica', { kind: 'database', status: promoted }, T0 + 3);

    expect(t.state.stepIndex).toBe(1);
    expect(t.commands.map((c) => c.kind === 'observe' && c.blockId)).toEqual(['await-writable', 'await-healthy']);
  });

  it('after a crash, observes every unfinished block before doing anything, restarting the settle time of a call in flight', () => {
    const s = observe(running().state, 'promote-replica', { kind: 'database', status: replica }, T0 + 2).state;
    const persisted: RunState = JSON.parse(JSON.stringify(s));

    const t = transition(persisted, { kind: 'resumed', at: T0 + 60_000 });

    expect(t.commands.every((c) => c.kind === 'observe')).toBe(true);
    expect(t.commands).toHaveLength(4);
    expect(t.state.blocks['promote-replica']).toMatchObject({ status: 'observing', intentAt: T0 + 60_000 });
  });

  it('changes nothing once the run has ended', () => {
    const refused = transition(started(), { kind: 'preconditions-evaluated', at: T0, problems: [{ kind: 'precondition', message: 'x' }] }).state;

    expect(transition(refused, { kind: 'resumed', at: T0 + 1 })).toEqual({ state: refused, commands: [] });
  });
});

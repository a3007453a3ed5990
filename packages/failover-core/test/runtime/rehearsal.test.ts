import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/plan/types.js';
import type { ControlRecord } from '../../src/runtime/lease.js';
import type { Rehearsal } from '../../src/runtime/rehearsal.js';
import type { RunOutcome, StartRequest } from '../../src/runtime/runner.js';
import type { Faults } from '../../src/sim/world.js';
import { KEY, request, runner, simulation } from '../sim/harness.js';

const outage = (t0: number): Faults => ({ outages: [{ region: 'eu-west-1', from: t0 }] });
const actionsSoFar = (actions: Record<string, number>) => Object.values(actions).reduce((a, b) => a + b, 0);

type Sim = ReturnType<typeof simulation>;

/**
 * Rehearses `ask` on the world as `arrange` left it, then starts it for real, and returns both:
 * the rehearsal must neither act nor write, and must decide as the real run does.
 */
async function rehearseThenStart(sim: Sim, ask: StartRequest, arrange: (sim: Sim) => Promise<void> = async () => undefined) {
  const { clock, ports, store, world } = sim;
  await clock.run(() => arrange(sim));
  const before = {
    version: (await store.read<ControlRecord>(KEY))?.version ?? 0,
    actions: actionsSoFar(world.actions),
    sent: ports.notifier.sent.length,
  };

  const rehearsal: Rehearsal = await clock.run(() => runner(ports, 'cli:bob').rehearse(ask));
  const after = {
    version: (await store.read<ControlRecord>(KEY))?.version ?? 0,
    actions: actionsSoFar(world.actions),
    sent: ports.notifier.sent.length,
  };
  const real: { ok?: RunOutcome; error?: Error } = await clock.run(() =>
    runner(ports, 'cli:bob')
      .start(ask)
      .then(
        (o) => ({ ok: o }),
        (e: unknown) => ({ error: e as Error }),
      ),
  );

  expect(after).toEqual(before);
  return { rehearsal, real };
}

/** The real run's decision in a rehearsal's terms: a thrown refusal or a refused run, else a start. */
const realVerdict = (real: {
  ok?: { state: { phase: string; timeline: readonly { kind: string; message?: string | undefined }[] } };
  error?: Error;
}) =>
  real.error
    ? { verdict: 'refuse', message: real.error.message }
    : real.ok!.state.phase === 'refused'
      ? { verdict: 'refuse', message: real.ok!.state.timeline.findLast((e) => e.kind === 'refused')?.message }
      : { verdict: 'start' };

const rehearsedVerdict = (r: Rehearsal) =>
  r.verdict === 'refuse' ? { verdict: 'refuse', message: r.refusal?.message } : { verdict: 'start' };

describe('Runner.rehearse', () => {
  it('on a steady world would start a failover, and names the first changes the real run then makes', async () => {
    const sim = simulation(outage);

    const { rehearsal, real } = await rehearseThenStart(sim, request('failover'));

    expect(rehearsedVerdict(rehearsal)).toEqual(realVerdict(real));
    expect(rehearsal).toMatchObject({
      verdict: 'start',
      decision: { kind: 'start' },
      evaluated: true,
      problems: [],
      stoppedBefore: { kind: 'act' },
    });
    expect(rehearsal.firstMutation.length).toBeGreaterThan(0);
    const firstActed = real.ok!.state.timeline.find((e) => e.kind === 'block-acted');
    expect(rehearsal.firstMutation.map((c) => c.stepId)).toContain(firstActed?.stepId);
    for (const change of rehearsal.firstMutation) expect(real.ok!.state.blocks[change.blockId]?.actedAt).toBeDefined();
  });

  it('after a completed failover refuses a second one with the words of the real run', async () => {
    const { rehearsal, real } = await rehearseThenStart(simulation(outage), request('failover', 'run-2'), async ({ ports }) => {
      await runner(ports, 'a').start(request('failover'));
    });

    expect(rehearsedVerdict(rehearsal)).toEqual(realVerdict(real));
    expect(rehearsal.refusal).toMatchObject({
      reason: 'served-elsewhere',
      message: expect.stringMatching(/served from the secondary region already/),
    });
  });

  it("refuses one operation over another's unfinished run, and resumes the same operation", async () => {
    const interrupt = async ({ ports }: Sim) => {
      // Stopped a few transitions in, past its preconditions, as a Ctrl-C would.
      const stop = { aborted: false };
      let transitions = 0;
      await runner(ports, 'a', { signal: stop, onTransition: () => void (++transitions === 8 && (stop.aborted = true)) }).start(
        request('failover'),
      );
    };

    const other = await rehearseThenStart(simulation(outage), request('switchover', 'run-2'), interrupt);
    const same = await rehearseThenStart(simulation(outage), request('failover', 'run-2'), interrupt);

    expect(rehearsedVerdict(other.rehearsal)).toEqual(realVerdict(other.real));
    expect(other.rehearsal.refusal?.reason).toBe('other-run-unfinished');
    expect(rehearsedVerdict(same.rehearsal)).toEqual(realVerdict(same.real));
    expect(same.rehearsal).toMatchObject({ verdict: 'start', decision: { kind: 'resume' }, evaluated: false });
    expect(same.real.ok).toMatchObject({ started: false, state: { runId: 'run-1', phase: 'completed' } });
  });

  it('would retry a run that failed past its point of no return, from the failed block', async () => {
    const sim = simulation((t0) => ({ ...outage(t0), capacityLoss: [{ region: 'us-east-1', from: t0, to: t0 + 20 * 60_000 }] }));

    const { rehearsal, real } = await rehearseThenStart(sim, request('failover', 'run-2'), async ({ ports, clock }) => {
      await runner(ports, 'a').start(request('failover'));
      await clock.sleep(10 * 60_000);
    });

    expect(rehearsedVerdict(rehearsal)).toEqual(realVerdict(real));
    expect(rehearsal).toMatchObject({ verdict: 'start', decision: { kind: 'retry', run: { runId: 'run-1' } } });
  });

  it('refuses while another controller holds the lease, as the real run does, and never takes it', async () => {
    const { rehearsal, real } = await rehearseThenStart(simulation(outage), request('failover'), async ({ store, clock }) => {
      await store.write<ControlRecord>(
        KEY,
        { active: 'primary', lease: { owner: 'lambda', epoch: 4, expiresAt: clock.now() + 60_000 } },
        0,
      );
    });

    expect(rehearsedVerdict(rehearsal)).toEqual(realVerdict(real));
    expect(rehearsal.refusal).toMatchObject({ reason: 'lease-held', message: expect.stringMatching(/held by lambda/) });
  });

  it.each([false, true])('holds at the RPO guard unless forced (force: %s), as the real run does', async (force) => {
    const sim = simulation((t0) => ({ ...outage(t0), replicaLagMs: [300_000, 300_000] }));

    const { rehearsal, real } = await rehearseThenStart(sim, { ...request('failover'), force });

    expect(rehearsedVerdict(rehearsal)).toEqual(realVerdict(real));
    expect(rehearsal.problems).toEqual([expect.objectContaining({ kind: 'rpo' })]);
    expect(rehearsal.verdict).toBe(force ? 'start' : 'refuse');
    if (!force)
      expect(rehearsal).toMatchObject({
        refusal: { reason: 'run-refused', message: expect.stringMatching(/replica lag \d+s exceeds/) },
        stoppedBefore: { kind: 'notify' },
        firstMutation: [],
      });
  });

  it.each<Operation>(['switchover', 'rebuild'])('decides a %s as the real run does on a steady world', async (operation) => {
    const { rehearsal, real } = await rehearseThenStart(simulation(), request(operation));

    expect(rehearsedVerdict(rehearsal)).toEqual(realVerdict(real));
  });
});

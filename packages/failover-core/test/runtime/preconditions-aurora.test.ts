import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { referenceAuroraConfig } from '../../src/config/reference.js';
import { ThrottledError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Operation } from '../../src/plan/types.js';
import type { DbRef, DbStatus, GlobalClusterStatus, Ports } from '../../src/ports.js';
import { evaluatePreconditions } from '../../src/runtime/preconditions.js';
import { simulation } from '../sim/harness.js';

const aurora = parseConfig(referenceAuroraConfig);

/** An Aurora world as the engine reads it: which cluster writes, its instances, the global lag. */
interface AuroraView {
  readonly writer?: 'eu-west-1' | 'us-east-1';
  readonly members?: GlobalClusterStatus['members'];
  readonly failoverState?: GlobalClusterStatus['failoverState'];
  readonly lagSeconds?: number | undefined;
  readonly secondaryStatus?: string;
  readonly exists?: boolean;
  readonly throttledReads?: number;
}

function auroraPorts(view: AuroraView = {}): { ports: Ports; run: <T>(f: () => Promise<T>) => Promise<T> } {
  const { clock, ports } = simulation();
  const writer = view.writer ?? 'eu-west-1';
  let throttled = view.throttledReads ?? 0;
  const members = view.members ?? [
    { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary', isWriter: writer === 'eu-west-1', synchronizationStatus: 'connected' },
    { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary', isWriter: writer === 'us-east-1', synchronizationStatus: 'connected' },
  ];
  const describe = async (ref: DbRef): Promise<DbStatus> => {
    const primary = ref.region === writer;
    return {
      exists: true,
      status: primary ? 'available' : (view.secondaryStatus ?? 'available'),
      role: primary ? 'primary' : 'replica',
      writable: primary,
      writeFenced: false,
      replicaLagSeconds: primary ? undefined : 'lagSeconds' in view ? view.lagSeconds : 0.8,
    };
  };
  const globalDatabase: Ports['globalDatabase'] = {
    describe: async () => {
      if (throttled-- > 0) throw new ThrottledError('Rate exceeded');
      return view.exists === false
        ? { exists: false, status: 'not-found', members: [] }
        : { exists: true, status: 'available', members, failoverState: view.failoverState };
    },
    failover: async () => {},
    switchover: async () => {},
    failoverSnapshot: async () => ({}),
    keepSnapshot: async () => {},
  };
  return { ports: { ...ports, database: { ...ports.database, describe }, globalDatabase }, run: (f) => clock.run(f) };
}

const evaluate = (operation: Operation, view: AuroraView = {}, from?: 'primary' | 'secondary') => {
  const { ports, run } = auroraPorts(view);
  return run(() => evaluatePreconditions(buildPlan(aurora, operation, { from }), ports, 60));
};

describe('evaluatePreconditions on the Aurora tier', () => {
  it('passes a failover of the healthy reference topology and reads the global lag as the data at risk', async () => {
    const report = await evaluate('failover');
    expect(report).toEqual({ problems: [], replicaLagSeconds: 0.8 });
  });

  it('refuses a failover whose global lag exceeds maxDataLossSeconds (the RPO guard), and one whose lag is unknown', async () => {
    expect((await evaluate('failover', { lagSeconds: 75 })).problems).toEqual([
      { kind: 'rpo', message: 'global lag 75s exceeds maxDataLossSeconds 60s: failing over now would lose up to 75s of writes' },
    ]);
    expect((await evaluate('failover', { lagSeconds: undefined })).problems).toEqual([
      { kind: 'rpo', message: 'the global lag of lamp-secondary in us-east-1 is unknown' },
    ]);
  });

  it('does not apply the RPO guard to a switchover, which loses nothing', async () => {
    expect((await evaluate('switchover', { lagSeconds: 75 })).problems).toEqual([]);
  });

  it('refuses a target that is already the writer, or not a member, or a global database already failing over', async () => {
    expect((await evaluate('failover', { writer: 'us-east-1' })).problems.map((p) => p.message)).toContain(
      'lamp-secondary in us-east-1 is already the writer of lamp-global: nothing to hand over',
    );
    const alone = await evaluate('failover', { members: [{ region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary', isWriter: true }] });
    expect(alone.problems.map((p) => p.message)).toContain('lamp-secondary in us-east-1 is not a member of lamp-global');
    const busy = await evaluate('switchover', {
      failoverState: { status: 'switching-over', fromRegion: 'eu-west-1', toRegion: 'us-east-1', isDataLossAllowed: false },
    });
    expect(busy.problems.map((p) => p.message)).toContain(
      'lamp-global is switching-over already: wait for it to end (aws rds describe-global-clusters)',
    );
  });

  it('refuses a target whose instance is not available (AWS refuses a secondary with no instance)', async () => {
    expect((await evaluate('failover', { secondaryStatus: 'creating' })).problems).toContainEqual({
      kind: 'precondition',
      message: 'lamp-secondary-1 in us-east-1 is creating, not available',
    });
  });

  it('names a global database that is not there', async () => {
    expect((await evaluate('failover', { exists: false })).problems).toContainEqual({
      kind: 'precondition',
      message: 'global database lamp-global was not found from us-east-1',
    });
  });

  it('retries a throttled read of the global database rather than refusing', async () => {
    expect((await evaluate('failover', { throttledReads: 2 })).problems).toEqual([]);
  });

  it('lets a failback wait for an old primary that is rebuilt, and refuses one that left the global database, saying how to add it back', async () => {
    const rebuilding = await evaluate('failback', {
      writer: 'us-east-1',
      members: [
        { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary', isWriter: false, synchronizationStatus: 'pending-resync' },
        { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary', isWriter: true },
      ],
    });
    expect(rebuilding.problems).toEqual([]);
    const removed = await evaluate('failback', {
      writer: 'us-east-1',
      members: [{ region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary', isWriter: true }],
    });
    expect(removed.problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(
        /lamp-primary in eu-west-1 is not a member of lamp-global: AWS re-adds a recovered old primary by itself, so it was removed\. Add a secondary cluster named lamp-primary there \(aws rds create-db-cluster --global-cluster-identifier lamp-global/,
      ),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/machine/assess.js';
import type { Observation } from '../../src/machine/types.js';
import type { BlockAction } from '../../src/plan/types.js';
import type { DbStatus, GlobalClusterStatus } from '../../src/ports.js';

const target = { region: 'us-east-1', dbClusterIdentifier: 'lamp-secondary' };
const db = { region: 'us-east-1', dbInstanceIdentifier: 'lamp-secondary-1' };
const failover: BlockAction = { kind: 'failover-global-cluster', globalClusterIdentifier: 'lamp-global', target, db };
const switchover: BlockAction = { ...failover, kind: 'switchover-global-cluster' };
const rejoin: BlockAction = {
  kind: 'await-rejoined',
  globalClusterIdentifier: 'lamp-global',
  cluster: { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' },
  db: { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary-1' },
};
const keep: BlockAction = {
  kind: 'keep-failover-snapshot',
  cluster: { region: 'eu-west-1', dbClusterIdentifier: 'lamp-primary' },
  copyIdentifier: 'lamp-primary-lost-writes-run',
};

const instance = (over: Partial<DbStatus> = {}): DbStatus => ({
  exists: true,
  status: 'available',
  role: 'replica',
  writable: false,
  writeFenced: false,
  ...over,
});
const globalWith = (
  writer: 'eu-west-1' | 'us-east-1',
  over: Partial<GlobalClusterStatus> = {},
  sync = 'connected',
): GlobalClusterStatus => ({
  exists: true,
  status: 'available',
  members: [
    {
      region: 'eu-west-1',
      dbClusterIdentifier: 'lamp-primary',
      isWriter: writer === 'eu-west-1',
      synchronizationStatus: writer === 'eu-west-1' ? undefined : sync,
    },
    {
      region: 'us-east-1',
      dbClusterIdentifier: 'lamp-secondary',
      isWriter: writer === 'us-east-1',
      synchronizationStatus: writer === 'us-east-1' ? undefined : sync,
    },
  ],
  ...over,
});
const seen = (global: GlobalClusterStatus, status: DbStatus = instance()): Observation => ({ kind: 'global-cluster', global, db: status });
const progress = (action: BlockAction, observation: Observation) => assess(action, observation).progress;

describe('assess: a global failover or switchover', () => {
  it.each([failover, switchover])('$kind is not started while the target is a secondary and nothing is in progress', (action) => {
    expect(progress(action, seen(globalWith('eu-west-1')))).toBe('not-started');
  });

  it.each([failover, switchover])('$kind is in progress while FailoverState says so, whoever asked', (action) => {
    const failingOver = globalWith('eu-west-1', {
      failoverState: { status: 'failing-over', fromRegion: 'eu-west-1', toRegion: 'us-east-1', isDataLossAllowed: true },
    });
    expect(progress(action, seen(failingOver))).toBe('in-progress');
  });

  it.each([failover, switchover])(
    '$kind is done once the target is the writer, nothing is in progress and its instance is available',
    (action) => {
      expect(progress(action, seen(globalWith('us-east-1'), instance({ role: 'primary' })))).toBe('done');
      expect(progress(action, seen(globalWith('us-east-1'), instance({ role: 'primary', status: 'rebooting' })))).toBe('in-progress');
    },
  );

  it('is impossible when the target is not a member, or the global database is not found', () => {
    const alone = globalWith('eu-west-1', { members: [] });
    expect(assess(failover, seen(alone))).toEqual({
      progress: 'impossible',
      detail: 'lamp-secondary in us-east-1 is not a member of lamp-global',
    });
    expect(progress(failover, seen({ exists: false, status: 'not-found', members: [] }))).toBe('impossible');
  });

  it('refuses an observation of another kind', () => {
    expect(() => assess(failover, { kind: 'failover-snapshot', status: {} })).toThrow(/does not fit/);
  });
});

describe('assess: the old primary rejoining', () => {
  it('waits while it is not a member yet, and while it is rebuilt on a new volume', () => {
    expect(progress(rejoin, seen(globalWith('us-east-1', { members: [globalWith('us-east-1').members[1]!] })))).toBe('in-progress');
    expect(assess(rejoin, seen(globalWith('us-east-1', {}, 'pending-resync'))).detail).toMatch(
      /pending-resync \(rebuilt on a new volume\)/,
    );
  });

  it('is done once it is a connected secondary whose instance is available', () => {
    expect(progress(rejoin, seen(globalWith('us-east-1')))).toBe('done');
    expect(progress(rejoin, seen(globalWith('us-east-1'), instance({ status: 'creating' })))).toBe('in-progress');
    expect(progress(rejoin, seen(globalWith('us-east-1'), instance({ exists: false })))).toBe('in-progress');
  });

  it('is impossible when the old primary is the writer', () => {
    expect(progress(rejoin, seen(globalWith('eu-west-1')))).toBe('impossible');
  });
});

describe('assess: keeping the snapshot of the old volume', () => {
  const snapshot = (status: string) => ({ id: 'rds:unplanned-global-failover-lamp-primary-2026-11-30-05-00', status });
  it('copies a system snapshot that is available, and waits for one being made', () => {
    expect(progress(keep, { kind: 'failover-snapshot', status: { source: snapshot('available') } })).toBe('not-started');
    expect(progress(keep, { kind: 'failover-snapshot', status: { source: snapshot('creating') } })).toBe('in-progress');
  });

  it('is done once the copy is available, and when Aurora kept nothing', () => {
    const copy = { id: 'lamp-primary-lost-writes-run', status: 'available' };
    expect(progress(keep, { kind: 'failover-snapshot', status: { source: snapshot('available'), copy } })).toBe('done');
    expect(progress(keep, { kind: 'failover-snapshot', status: { copy: { ...copy, status: 'copying' } } })).toBe('in-progress');
    expect(assess(keep, { kind: 'failover-snapshot', status: {} }).detail).toMatch(/kept no snapshot/);
  });

  it('says when the kept copy captured the old volume: the newest system snapshot may be an earlier failover', () => {
    const copy = { id: 'lamp-primary-lost-writes-run', status: 'available', createdAt: Date.UTC(2026, 10, 30, 5, 0) };
    expect(assess(keep, { kind: 'failover-snapshot', status: { copy } }).detail).toBe(
      'kept as lamp-primary-lost-writes-run, captured at 2026-11-30 05:00 UTC',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { judgeContainment } from '../../src/status/containment.js';
import { config } from '../fixtures.js';
import { REPLICA, SERVING_COMPUTE, WRITABLE, seen, unread } from './arbitraries.js';

const pending = { role: 'primary' as const, since: 1_700_000_000_000, runId: 'failover-1', writes: false, capacity: false };

describe('judgeContainment', () => {
  it('has nothing to say when nothing is left to contain', () => {
    expect(judgeContainment(config, undefined, [])).toBeNull();
  });

  it('judges from what was observed now: a database still writable, capacity not at 0', () => {
    const k = judgeContainment(config, pending, [{ role: 'primary', database: seen(WRITABLE), compute: seen(SERVING_COMPUTE) }]);

    expect(k).toEqual({
      role: 'primary',
      region: config.primary.region,
      dbInstanceIdentifier: config.primary.dbInstanceIdentifier,
      autoScalingGroupName: config.primary.autoScalingGroupName,
      since: pending.since,
      runId: 'failover-1',
      recorded: { writes: false, capacity: false },
      databaseWritable: { value: true, error: null },
      capacityAtZero: { value: false, error: null },
    });
  });

  it('says contained parts as observed, and unknown with the error where the region could not be read', () => {
    const atZero = { ...SERVING_COMPUTE, min: 0, desired: 0 };

    const fenced = judgeContainment(config, pending, [{ role: 'primary', database: seen(REPLICA), compute: seen(atZero) }]);
    const unknown = judgeContainment(config, pending, [{ role: 'primary', database: unread('timeout'), compute: unread('dns') }]);
    const missing = judgeContainment(config, pending, []);

    expect(fenced).toMatchObject({ databaseWritable: { value: false }, capacityAtZero: { value: true } });
    expect(unknown).toMatchObject({ databaseWritable: { value: null, error: 'read failed: timeout' }, capacityAtZero: { value: null } });
    expect(missing).toMatchObject({
      databaseWritable: { value: null, error: 'not read' },
      capacityAtZero: { value: null, error: 'not read' },
    });
  });
});

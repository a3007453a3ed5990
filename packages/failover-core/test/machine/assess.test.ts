import { describe, expect, it } from 'vitest';
import { assess, inverseOf, priorOf } from '../../src/machine/assess.js';
import type { BlockAction } from '../../src/plan/types.js';
import type { DbStatus } from '../../src/ports.js';

const db = { region: 'eu-west-1', dbInstanceIdentifier: 'lamp-primary' };
const status = (patch: Partial<DbStatus>): DbStatus => ({
  exists: true,
  status: 'available',
  role: 'primary',
  writable: true,
  writeFenced: false,
  readOnly: 'default',
  parameterGroup: { name: 'lamp-primary-params', applyStatus: 'in-sync' },
  ...patch,
});
const fence: BlockAction = { kind: 'set-write-fence', db, fenced: true };
const lift: BlockAction = { kind: 'set-write-fence', db, fenced: false };

describe('assess: the write fence', () => {
  it('counts a fence only once RDS reports it in-sync', () => {
    expect(assess(fence, { kind: 'database', status: status({}) }).progress).toBe('not-started');
    expect(
      assess(fence, { kind: 'database', status: status({ readOnly: 'on', parameterGroup: { name: 'g', applyStatus: 'applying' } }) })
        .progress,
    ).toBe('in-progress');
    expect(assess(fence, { kind: 'database', status: status({ readOnly: 'on', writeFenced: true }) }).progress).toBe('done');
  });

  it('lifts to the replica-aware default, not to 0: an explicit 0 would make a replica writable', () => {
    expect(assess(lift, { kind: 'database', status: status({ readOnly: 'off' }) }).progress).toBe('not-started');
    expect(assess(lift, { kind: 'database', status: status({ readOnly: 'default' }) }).progress).toBe('done');
  });

  it('finds nothing to fence on a stale database that is gone, when told it may be', () => {
    const gone = { kind: 'database', status: { ...status({}), exists: false } } as const;

    expect(assess({ ...fence, ifExists: true }, gone).progress).toBe('done');
    expect(assess(fence, gone).progress).toBe('impossible');
  });

  it('sets back what it saw before: on, or the default', () => {
    expect(inverseOf(fence, priorOf(fence, { kind: 'database', status: status({ readOnly: 'default' }) })!)).toEqual({ ...lift });
    expect(inverseOf(lift, priorOf(lift, { kind: 'database', status: status({ readOnly: 'on' }) })!)).toEqual({ ...fence });
  });
});

describe('assess: retiring and rebooting', () => {
  const retire: BlockAction = { kind: 'retire-instance', db, newIdentifier: 'lamp-primary-retired-1' };
  const missing = { ...status({}), exists: false };

  it('does not mistake two looks straddling the rename for "nothing to retire" once it has called', () => {
    const neither = { kind: 'rename', current: missing, renamed: missing } as const;

    expect(assess(retire, neither).progress).toBe('done');
    expect(assess(retire, neither, { acted: true }).progress).toBe('in-progress');
    expect(assess(retire, { kind: 'rename', current: missing, renamed: status({}) }, { acted: true }).progress).toBe('done');
  });

  it('reboots a retired instance until its retired group is in effect', () => {
    const reboot: BlockAction = {
      kind: 'reboot-instance',
      db: { ...db, dbInstanceIdentifier: 'lamp-primary-retired-1' },
      parameterGroupName: 'lamp-primary-retired',
    };

    expect(
      assess(reboot, {
        kind: 'database',
        status: status({ parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'pending-reboot' } }),
      }).progress,
    ).toBe('not-started');
    expect(assess(reboot, { kind: 'database', status: status({ status: 'rebooting' }) }).progress).toBe('in-progress');
    expect(
      assess(reboot, { kind: 'database', status: status({ parameterGroup: { name: 'lamp-primary-retired', applyStatus: 'in-sync' } }) })
        .progress,
    ).toBe('done');
    expect(assess(reboot, { kind: 'database', status: status({}) }).progress).toBe('impossible');
  });
});

describe('assess: confirming the impairment before the point of no return', () => {
  const action = { kind: 'await-impairment', region: 'eu-west-1', confirmSeconds: 90, freshSeconds: 20 } as const;
  const look = (at: number, fails: boolean, seesHealthy = false) =>
    ({ kind: 'signals', at, fails, seesHealthy, readings: 'probe down (0s old)' }) as const;

  it('waits until the impairment has lasted confirmSeconds from its estimated start', () => {
    expect(assess(action, look(60_000, true), { impairedAt: 0 }).progress).toBe('in-progress');
    expect(assess(action, look(90_000, true), { impairedAt: 0 }).progress).toBe('done');
  });

  it('gives up as soon as a fresh look sees the primary healthy, however early', () => {
    expect(assess(action, look(10_000, false, true), { impairedAt: 0 })).toMatchObject({
      progress: 'impossible',
      detail: expect.stringContaining('recovered before the point of no return'),
    });
  });

  it('does not commit on a look that cannot confirm (too few signals answered), and keeps looking', () => {
    expect(assess(action, look(120_000, false), { impairedAt: 0 }).progress).toBe('in-progress');
  });
});

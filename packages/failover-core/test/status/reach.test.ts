import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { ReachAttempt, ReadFailureReason } from '../../src/status/observation.js';
import { judgeReach } from '../../src/status/reach.js';
import { READ_FAILURE_REASONS } from './arbitraries.js';

const ok = (region: string): ReachAttempt => ({ region, reason: null });
const failed = (region: string, reason: ReadFailureReason): ReachAttempt => ({ region, reason });

const LOCAL: ReadFailureReason[] = ['refused', 'dns', 'access-denied'];
const attempts = fc.array(
  fc.record({
    region: fc.constantFrom('eu-west-1', 'us-east-1', 'us-west-2'),
    reason: fc.option(fc.constantFrom(...READ_FAILURE_REASONS), { nil: null }),
  }),
  { maxLength: 12 },
);

describe('judgeReach', () => {
  it('blames one region, not this side, when only its endpoint name fails to resolve while the others answer', () => {
    // As in the us-east-1 DynamoDB event of October 2025: a regional endpoint's name stopped resolving.
    const reach = judgeReach([failed('us-east-1', 'dns'), failed('us-east-1', 'dns'), ok('eu-west-1'), ok('us-west-2')]);

    expect(reach.fromHere).toBe(false);
    expect([...reach.silent]).toEqual([['us-east-1', ['dns']]]);
  });

  it('says this side when every region refuses, resolves nothing or denies access', () => {
    const reach = judgeReach([failed('eu-west-1', 'dns'), failed('us-east-1', 'dns'), failed('us-east-1', 'access-denied')]);

    expect(reach).toMatchObject({ fromHere: true, reasons: ['dns', 'access-denied'] });
    expect(reach.silent.size).toBe(0);
  });

  it('says this side when nothing answered at all, whatever the reasons', () => {
    expect(judgeReach([failed('eu-west-1', 'timeout'), failed('us-east-1', 'reset')]).fromHere).toBe(true);
  });

  it('says nothing of this side when nothing was read', () => {
    expect(judgeReach([])).toEqual({ fromHere: false, reasons: [], silent: new Map() });
  });

  it('does not call a region silent when AWS answered it with a refusal of the caller', () => {
    expect(judgeReach([failed('eu-west-1', 'access-denied'), ok('us-east-1')]).silent.size).toBe(0);
  });

  test.prop([attempts])('calls silent only regions that never answered, and none when it blames this side', (xs) => {
    const reach = judgeReach(xs);

    for (const region of reach.silent.keys()) expect(xs.some((a) => a.region === region && a.reason === null)).toBe(false);
    if (reach.fromHere) expect(reach.silent.size).toBe(0);
  });

  test.prop([attempts])('never blames this side while a region answered and some read failed for a reason AWS gave', (xs) => {
    const answered = xs.some((a) => a.reason === null);
    const remote = xs.some((a) => a.reason !== null && !LOCAL.includes(a.reason));

    if (answered && remote) expect(judgeReach(xs).fromHere).toBe(false);
  });

  test.prop([attempts])('lists each failure reason once, most frequent first', (xs) => {
    const { reasons } = judgeReach(xs);
    const count = (r: ReadFailureReason) => xs.filter((a) => a.reason === r).length;

    expect(new Set(reasons)).toEqual(new Set(xs.flatMap((a) => (a.reason === null ? [] : [a.reason]))));
    expect(reasons.length).toBe(new Set(reasons).size);
    for (let i = 1; i < reasons.length; i++) expect(count(reasons[i - 1]!)).toBeGreaterThanOrEqual(count(reasons[i]!));
  });
});

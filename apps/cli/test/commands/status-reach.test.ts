import { describe, expect, it } from 'vitest';
import { judgeReach, type Attempt } from '../../src/commands/status.js';

const ok = (region: string): Attempt => ({ region, reason: null });
const failed = (region: string, reason: Attempt['reason']): Attempt => ({ region, reason });

describe('judgeReach', () => {
  it('blames one region, not this side, when only its endpoint name fails to resolve while the others answer', () => {
    // As in the us-east-1 DynamoDB event of October 2025: a regional endpoint's name stopped resolving.
    const reach = judgeReach([failed('us-east-1', 'dns'), failed('us-east-1', 'dns'), ok('eu-west-1'), ok('us-west-2')]);

    expect(reach.fromHere).toBe(false);
    expect([...reach.silent]).toEqual([['us-east-1', ['dns']]]);
  });

  it('says this side when every region refuses, resolves nothing or denies access', () => {
    expect(judgeReach([failed('eu-west-1', 'refused'), failed('us-east-1', 'refused'), failed('us-west-2', 'refused')])).toMatchObject({
      fromHere: true,
      reasons: ['refused'],
    });
    expect(judgeReach([failed('eu-west-1', 'dns'), failed('us-east-1', 'dns'), failed('us-east-1', 'access-denied')])).toMatchObject({
      fromHere: true,
      reasons: ['dns', 'access-denied'],
    });
  });

  it('says this side when nothing answered at all, whatever the reasons', () => {
    expect(judgeReach([failed('eu-west-1', 'timeout'), failed('us-east-1', 'reset')]).fromHere).toBe(true);
  });

  it('does not say this side when one region answers, though the others time out', () => {
    const reach = judgeReach([
      failed('eu-west-1', 'timeout'),
      failed('us-west-2', 'timeout'),
      ok('us-east-1'),
      failed('us-east-1', 'not-found'),
    ]);

    expect(reach.fromHere).toBe(false);
    expect([...reach.silent.keys()]).toEqual(['eu-west-1', 'us-west-2']);
  });

  it('does not call a region silent when AWS answered it with a refusal of the caller', () => {
    expect(judgeReach([failed('eu-west-1', 'access-denied'), ok('us-east-1')]).silent.size).toBe(0);
  });
});

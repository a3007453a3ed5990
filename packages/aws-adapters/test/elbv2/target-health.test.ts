import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ElbTargetHealth } from '../../src/index.js';
import { config, fastPolicy } from '../fixtures.js';

const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => elb.reset());

describe('ElbTargetHealth', () => {
  it('counts only healthy targets of the target group', async () => {
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: config.primary.targetGroupArn }).resolves({
      TargetHealthDescriptions: [
        { TargetHealth: { State: 'healthy' } },
        { TargetHealth: { State: 'draining' } },
        { TargetHealth: { State: 'healthy' } },
      ],
    });

    expect(await new ElbTargetHealth({ policy: fastPolicy() }).healthyCount('eu-west-1', config.primary.targetGroupArn)).toBe(2);
  });
});

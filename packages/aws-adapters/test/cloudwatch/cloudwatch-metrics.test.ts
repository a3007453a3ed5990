import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../src/index.js';
import { fastPolicy } from '../fixtures.js';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());
const metrics = new CloudWatchMetrics({ policy: fastPolicy() });

describe('CloudWatchMetrics.state', () => {
  it('finds the alarm across pages and returns its state', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [], NextToken: 'a' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'unrelated', StateValue: 'OK' }], NextToken: 'b' })
      .resolves({ MetricAlarms: [{ AlarmName: 'lamp-primary-alb-availability', StateValue: 'ALARM' }] });

    expect(await metrics.state({ region: 'eu-west-1', alarmName: 'lamp-primary-alb-availability' })).toBe('ALARM');
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
  });

  it('says INSUFFICIENT_DATA for an alarm that does not exist', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    expect(await metrics.state({ region: 'eu-west-1', alarmName: 'missing' })).toBe('INSUFFICIENT_DATA');
  });
});

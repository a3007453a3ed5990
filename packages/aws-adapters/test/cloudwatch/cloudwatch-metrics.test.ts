import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { isRegionUnreachable } from '@dr/failover-core/errors';
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

  it('names an alarm that does not exist, and the region it was looked for in', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    await expect(metrics.state({ region: 'eu-west-1', alarmName: 'missing' })).rejects.toThrow(
      'CloudWatch alarm missing was not found in eu-west-1',
    );
  });

  it('reads composite alarms too', async () => {
    cw.on(DescribeAlarmsCommand, { AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }).resolves({
      CompositeAlarms: [{ AlarmName: 'region-health', StateValue: 'OK' }],
    });

    expect(await metrics.state({ region: 'eu-west-1', alarmName: 'region-health' })).toBe('OK');
  });

  it('maps a region that does not answer to RegionUnreachable', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(() => new Promise(() => undefined));

    await expect(
      new CloudWatchMetrics({ policy: fastPolicy({ timeoutMs: 50 }) }).state({ region: 'eu-west-1', alarmName: 'a' }),
    ).rejects.toSatisfy(isRegionUnreachable);
  });
});

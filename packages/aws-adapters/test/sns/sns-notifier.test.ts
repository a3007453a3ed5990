import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../src/index.js';
import { config, fastPolicy } from '../fixtures.js';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

describe('SnsNotifier', () => {
  it('publishes the notification with a subject SNS accepts', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = new SnsNotifier({
      clientConfig: { region: 'us-east-1' },
      topicArn: config.controller.topicArn!,
      policy: fastPolicy(),
    });

    await notifier.notify({
      subject: `failover failed at step fence-promote-scale, block promote-replica ${'x'.repeat(100)}\n`,
      message: 'storage-full',
      severity: 'critical',
      runId: 'r1',
    });

    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:lamp-dr');
    expect(input?.Subject).toMatch(/^\[CRITICAL\] failover failed at step/);
    expect(input?.Subject?.length).toBeLessThanOrEqual(100);
    expect(input?.Subject).not.toMatch(/\n/);
    expect(JSON.parse(input?.Message ?? '{}')).toMatchObject({ message: 'storage-full', runId: 'r1', severity: 'critical' });
  });
});

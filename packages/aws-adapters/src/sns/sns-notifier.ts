import { PublishCommand, SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '@dr/failover-core/ports';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';

/** Options of {@link SnsNotifier}. */
export type SnsNotifierOptions = (
  | { readonly awsSdkV3Client: SNSClient; readonly clientConfig?: never }
  | { readonly clientConfig: SNSClientConfig; readonly awsSdkV3Client?: never }
) & { readonly topicArn: string; readonly policy?: CallPolicy };

/** SNS subjects are under 100 ASCII characters, with no line breaks. */
const subjectOf = (n: Notification): string =>
  `[${n.severity.toUpperCase()}] ${n.subject}`
    .replace(/[\r\n]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99);

/** The `Notifier` port on SNS. */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly policy: CallPolicy;

  constructor(private readonly options: SnsNotifierOptions) {
    this.client = options.awsSdkV3Client ?? new SNSClient(options.clientConfig);
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  async notify(notification: Notification): Promise<void> {
    const region = this.options.topicArn.split(':')[3] ?? 'unknown';
    await callAws(
      { region, resource: `SNS topic ${this.options.topicArn}`, notFound: ['NotFoundException', 'NotFound'] },
      (abortSignal) =>
        this.client.send(
          new PublishCommand({
            TopicArn: this.options.topicArn,
            Subject: subjectOf(notification),
            Message: JSON.stringify({ ...notification, at: new Date().toISOString() }, null, 2),
            MessageAttributes: { severity: { DataType: 'String', StringValue: notification.severity } },
          }),
          { abortSignal },
        ),
      this.policy,
    );
  }
}

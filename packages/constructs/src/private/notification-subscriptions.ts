import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { NotificationSubscription } from '../notifications.js';
import type { PropRule } from './validate.js';

/**
 * The protocols a subscription may use, and what its endpoint must look like. Plain HTTP is left
 * out (alarms and failover news would cross the internet in clear); Firehose needs a role this
 * shape does not carry.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
const ENDPOINTS: ReadonlyMap<string, { readonly pattern: RegExp; readonly what: string }> = new Map([
  [sns.SubscriptionProtocol.EMAIL, { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, what: 'an email address' }],
  [sns.SubscriptionProtocol.EMAIL_JSON, { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, what: 'an email address' }],
  [sns.SubscriptionProtocol.HTTPS, { pattern: /^https:\/\/[^\s/]+\S*$/, what: 'an https:// URL' }],
  [sns.SubscriptionProtocol.SMS, { pattern: /^\+[1-9]\d{1,14}$/, what: 'a phone number in E.164 form (+ and up to 15 digits)' }],
  [sns.SubscriptionProtocol.SQS, { pattern: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:\S+$/, what: 'an SQS queue ARN' }],
  [sns.SubscriptionProtocol.LAMBDA, { pattern: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:\S+$/, what: 'a Lambda function ARN' }],
]);

/** The prop rules of `notificationEmail` and `notificationSubscriptions`, each violation naming its prop. */
export function notificationRules(email: string | undefined, subscriptions: readonly NotificationSubscription[] = []): PropRule[] {
  const emailShape = ENDPOINTS.get(sns.SubscriptionProtocol.EMAIL);
  return [
    {
      failed: email !== undefined && !emailShape?.pattern.test(email),
      message: `notificationEmail must be an email address; got ${JSON.stringify(email)}`,
    },
    ...subscriptions.map((s, i): PropRule => {
      const shape = ENDPOINTS.get(s.protocol);
      if (!shape)
        return {
          failed: true,
          message: `notificationSubscriptions[${i}].protocol must be one of ${[...ENDPOINTS.keys()].join(', ')}; got ${JSON.stringify(s.protocol)}`,
        };
      return {
        failed: !shape.pattern.test(s.endpoint),
        message: `notificationSubscriptions[${i}].endpoint must be ${shape.what} for protocol ${s.protocol}; got ${JSON.stringify(s.endpoint)}`,
      };
    }),
  ];
}

/** Every subscription `email` and `subscriptions` ask for, email first. */
export function allSubscriptions(
  email: string | undefined,
  subscriptions: readonly NotificationSubscription[] = [],
): NotificationSubscription[] {
  return [...(email ? [{ protocol: sns.SubscriptionProtocol.EMAIL, endpoint: email }] : []), ...subscriptions];
}

/**
 * Subscribes each of `subscriptions` to `topic`, as resources under `scope` (the topic's stack,
 * so the subscription lives in the topic's region). The first email keeps the id `Email`, which
 * the construct has always used, so an upgrade does not replace a confirmed subscription.
 */
export function subscribeAll(scope: Construct, topic: sns.ITopic, subscriptions: readonly NotificationSubscription[]): void {
  subscriptions.forEach((s, i) => {
    const id = i === 0 && s.protocol === sns.SubscriptionProtocol.EMAIL ? 'Email' : `Subscription${i}`;
    new sns.Subscription(scope, id, { topic, protocol: s.protocol, endpoint: s.endpoint });
  });
}

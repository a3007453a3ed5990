import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { allowAutoScalingToPublishWith } from './private/auto-scaling-notifications.js';
import { allSubscriptions, notificationRules, subscribeAll } from './private/notification-subscriptions.js';
import { validateProps } from './private/validate.js';

/**
 * Where DR news goes: a topic, and the key that encrypts it when there is one. A
 * {@link DrNotifications}, or a topic you have ({@link DrNotifications.fromTopic}).
 */
export interface IDrNotifications extends IConstruct {
  /** The topic alarms, the controller and `dr` publish to. */
  readonly topic: sns.ITopic;
  /** The topic's KMS key; publishers need it too. Undefined for an unencrypted (or unknown) key. */
  readonly key?: kms.IKey;
  /** Lets `grantee` publish to the topic, its key included. */
  grantPublish(grantee: iam.IGrantable): iam.Grant;
}

/**
 * One more subscriber of the DR topics, besides `notificationEmail`: any SNS protocol but plain
 * HTTP and Firehose. The endpoint must accept deliveries from each region's topic (an SQS queue
 * or Lambda function lets both topics in through its resource policy).
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export interface NotificationSubscription {
  /** `email`, `email-json`, `https`, `sms`, `sqs` or `lambda`. */
  readonly protocol: sns.SubscriptionProtocol;
  /** The address, URL, phone number (E.164) or ARN the protocol expects. */
  readonly endpoint: string;
}

/** Props of {@link DrNotifications}. */
export interface DrNotificationsProps {
  /** Names the topic and its key. */
  readonly app: string;
  /** Subscribed to the topic (an email address, checked at synth). @default - no email subscription */
  readonly notificationEmail?: string;
  /** Further subscribers of the topic (each checked at synth). @default - none */
  readonly notificationSubscriptions?: readonly NotificationSubscription[];
}

/**
 * Where DR news goes, one per region: an SNS topic encrypted with a customer managed key of its
 * own (CloudWatch alarms cannot publish to a topic under the AWS managed key), TLS only, with
 * optional subscriptions. In the DR region the controller, the `dr` command (through the
 * config's `controller.topicArn`) and the DR alarms publish to it; in the primary region, the
 * primary's alarms: each region's alarms reach a person through that region alone, so an outage
 * of the other region cannot silence them.
 */
export class DrNotifications extends Construct implements IDrNotifications {
  /**
   * A topic you already have, as DR notifications: its `masterKey` (when it has one) is the key
   * publishers are granted. Auto Scaling notifications to it need its key policy to let Auto
   * Scaling's service-linked role use the key as {@link DrNotifications.allowAutoScalingNotifications} does for its own key.
   */
  static fromTopic(scope: Construct, id: string, topic: sns.ITopic): IDrNotifications {
    return new ImportedDrNotifications(scope, id, () => topic);
  }

  /**
   * A topic you already have, by ARN, with the KMS key that encrypts it (`key`: omit it for an
   * unencrypted topic, and publishers are granted `sns:Publish` alone).
   */
  static fromTopicArn(scope: Construct, id: string, topicArn: string, key?: kms.IKey): IDrNotifications {
    return new ImportedDrNotifications(scope, id, (self) =>
      sns.Topic.fromTopicAttributes(self, 'Topic', { topicArn, keyArn: key?.keyArn }),
    );
  }

  /** The topic, encrypted with {@link key}. */
  readonly topic: sns.Topic;
  /** The topic's customer managed key, rotated yearly, retained when the stack is deleted. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DrNotificationsProps) {
    super(scope, id);
    validateProps(this, notificationRules(props.notificationEmail, props.notificationSubscriptions));
    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${props.app} DR notifications`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', { displayName: `${props.app} DR`, enforceSSL: true, masterKey: this.key });
    subscribeAll(this, this.topic, allSubscriptions(props.notificationEmail, props.notificationSubscriptions));
  }

  /**
   * Lets Auto Scaling publish groups' launch, terminate and error notifications here (give the
   * topic to `AppTier` as its `notificationTopic`): one topic, and one key, per region.
   */
  allowAutoScalingNotifications(): void {
    allowAutoScalingToPublishWith(this.key);
  }

  /** Lets `grantee` publish, the topic's key included (aws-cdk-lib's topic grant covers its `masterKey`). */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }
}

/** {@link DrNotifications.fromTopic}'s and {@link DrNotifications.fromTopicArn}'s answer. */
class ImportedDrNotifications extends Construct implements IDrNotifications {
  readonly topic: sns.ITopic;
  readonly key?: kms.IKey;

  /** `topic` is given this construct as its scope, so a topic imported by ARN sits under it. */
  constructor(scope: Construct, id: string, topic: (self: Construct) => sns.ITopic) {
    super(scope, id);
    this.topic = topic(this);
    this.key = this.topic.masterKey;
  }

  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }
}

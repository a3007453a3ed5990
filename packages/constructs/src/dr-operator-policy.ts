import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { retiredPrefix, type DrConfig } from '@dr/failover-core';
import { Construct } from 'constructs';
import type { IDrConfigParameter } from './dr-config-parameter.js';
import type { IFailoverController } from './failover-controller.js';
import type { IDrNotifications } from './notifications.js';
import { acknowledgeAuroraWildcards, controllerStatements } from './private/controller-statements.js';
import { acknowledge } from './private/nag.js';
import { snapshotStatements } from './snapshot-schedule.js';

/**
 * The ARNs of the regions' `healthCheckVia` functions, as one list (none: no list). A deploy-time
 * value is the function's ARN (what the constructs write); a plain name is the region's function.
 */
function viaFunctions(config: DrConfig, stack: Stack): string[][] {
  const arns = [config.primary, config.secondary].flatMap((r) => {
    const via = r.healthCheckVia;
    if (via === undefined) return [];
    return [
      Token.isUnresolved(via) || via.startsWith('arn:')
        ? via
        : `arn:${stack.partition}:lambda:${r.region}:${stack.account}:function:${via}`,
    ];
  });
  return arns.length === 0 ? [] : [arns];
}

/** Props of {@link DrOperatorPolicy}. */
export interface DrOperatorPolicyProps {
  /**
   * The DR config parameter of the controller's region: its resources scope the policy, and `dr --app` reads it (and its copy in the
   * primary region).
   */
  readonly configParameter: IDrConfigParameter;
  /** The failover controller: `dr` shares its state table (one lease for a person and the Lambda) and publishes to its topic. */
  readonly controller: IFailoverController;
  /** The controller's notifications: publishing to the encrypted topic takes its key (none: no key statement). */
  readonly notifications: IDrNotifications;
  /** The managed policy's name. @default `<app>-dr-operator` */
  readonly managedPolicyName?: string;
}

/**
 * The operator's permissions for the `dr` command, as a customer managed policy to attach to the
 * people or roles who run it (`<app>-dr-operator`): `dr status`, `plan`, `failover`,
 * `switchover`, `failback`, `rebuild`, `drill --live` and `dr snapshot`, scoped to the
 * resources named in the DR config. An operation run by `dr` makes the calls the controller
 * makes (the controller may finish or roll back a run `dr` left), so the statements are the
 * controller's, plus the snapshot job's for `dr snapshot`, the config parameter in both regions
 * (`dr --app` reads it in the region named) and the topic's key.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
 */
export class DrOperatorPolicy extends Construct {
  /** The managed policy; attach it to the operators' roles or groups. */
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DrOperatorPolicyProps) {
    super(scope, id);
    const config = props.configParameter.config;
    const stack = Stack.of(this);
    const regions = [config.primary, config.secondary];
    const parameterPath = props.configParameter.parameterName.replace(/^\//, '');
    const aurora = config.database.tier === 'aurora-global';
    const statements = [
      ...controllerStatements(config, stack, props.controller.table, props.controller.topic),
      // The controller's statements already let RDS use both database keys for the caller (and
      // keep the policy under IAM's 6,144-character limit for a managed policy).
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
      // `dr snapshot` takes DB instance snapshots: the RDS tier's (the Aurora tier has no daily
      // snapshot job; its clusters keep continuous backups).
      ...(aurora ? [] : snapshotStatements(config, stack, false)),
      new iam.PolicyStatement({
        sid: 'ReadTheConfig',
        actions: ['ssm:GetParameter'],
        resources: regions.map((r) => `arn:${stack.partition}:ssm:${r.region}:${stack.account}:parameter/${parameterPath}`),
      }),
      // SNS uses the publisher's permissions on the topic's key.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
      // A region behind an internal load balancer is checked through its healthCheckVia function
      // (the health record reader): dr's probe of it is an Invoke.
      ...viaFunctions(config, stack).map(
        (arns) => new iam.PolicyStatement({ sid: 'CheckInternalLoadBalancers', actions: ['lambda:InvokeFunction'], resources: arns }),
      ),
      ...(props.notifications.key
        ? [
            new iam.PolicyStatement({
              sid: 'PublishToTheEncryptedTopic',
              actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              resources: [props.notifications.key.keyArn],
            }),
          ]
        : []),
    ];
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: props.managedPolicyName ?? `${config.app}-dr-operator`,
      description: `What the dr command needs to operate ${config.app}'s pilot light`,
      statements,
    });
    acknowledge(
      this.policy,
      ['AwsSolutions-IAM5[Resource::*]'],
      'Only reads without resource-level permissions (RDS, Auto Scaling, ELB and CloudWatch Describe/GetMetricData/GetMetricStatistics); every change is scoped to a named resource.',
    );
    if (aurora) {
      acknowledgeAuroraWildcards(this.policy, config, stack);
      acknowledge(
        this.policy,
        [
          ...regions.map(
            (r) =>
              `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${r.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${r.autoScalingGroupName}]`,
          ),
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        ],
        "The same scoping as the controller's role: an Auto Scaling group pinned by name (its ARN carries a generated id), and the key-spec variants of GenerateDataKey on the topic's one key.",
      );
      return;
    }
    acknowledge(
      this.policy,
      [
        ...regions.map(
          (r) =>
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${r.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${r.autoScalingGroupName}]`,
        ),
        ...regions.map(
          (r) =>
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r.region}:${stack.account}:db:${retiredPrefix(r.dbInstanceIdentifier)}*]`,
        ),
        ...regions.flatMap((r) =>
          ['daily', 'manual'].map(
            (kind) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r.region}:${stack.account}:snapshot:${config.app}-${kind}-*]`,
          ),
        ),
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      ],
      "The same scoping as the controller's role and the snapshot job's: an Auto Scaling group pinned by name (its ARN carries a generated id), instances retired as <id>-retired-<run>, snapshots this tool names <app>-daily-* and <app>-manual-*, and the key-spec variants of GenerateDataKey on the topic's one key.",
    );
  }
}

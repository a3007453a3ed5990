import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Lets Auto Scaling publish a group's notifications to a topic encrypted with `key`. Auto Scaling
 * publishes as its service-linked role, which must be able to use the key; the role may not exist
 * yet when the key is made (KMS rejects a key policy naming a missing principal), so it is matched
 * by ARN in a condition, and only through SNS in this account.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-sns-notifications.html
 */
export function allowAutoScalingToPublishWith(key: kms.Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AutoScalingPublishes',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': `sns.${stack.region}.amazonaws.com` },
        ArnLike: {
          'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*`,
        },
      },
    }),
  );
}

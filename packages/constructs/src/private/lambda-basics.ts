import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * What every DR Lambda starts from: a retained log group and a role of its own that may write
 * only to that group. Made in `scope` as `Logs` and `Role`.
 */
export function lambdaRoleAndLogs(scope: Construct, description: string, retention = logs.RetentionDays.THREE_MONTHS): { role: iam.Role; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  role.addToPolicy(new iam.PolicyStatement({ sid: 'Log', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  return { role, logGroup };
}

import { RemovalPolicy, Stack, type Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { METRICS_NAMESPACE } from '@dr/failover-core';
import type { Construct } from 'constructs';
import type { IDrConfigParameter } from '../dr-config-parameter.js';
import { bundledCode, type BundledHandler } from './bundled-code.js';
import { acknowledge } from './nag.js';

/**
 * What every DR Lambda starts from: a retained log group and a role of its own that may write
 * only to that group. Made in `scope` as `Logs` and `Role`.
 */
export function lambdaRoleAndLogs(
  scope: Construct,
  description: string,
  retention = logs.RetentionDays.THREE_MONTHS,
): { role: iam.Role; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  role.addToPolicy(
    new iam.PolicyStatement({ sid: 'Log', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
  );
  return { role, logGroup };
}

/** What differs between the DR Lambdas. */
export interface DrFunctionOptions {
  /** The shipped bundle used when `code` is not given. */
  readonly bundle: BundledHandler;
  readonly code?: lambda.Code | undefined;
  readonly handler?: string | undefined;
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  /** The DR config the function reads; a function that needs none (a deploy-time custom resource) has none. */
  readonly configParameter?: IDrConfigParameter | undefined;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly description: string;
  /** Settings besides the app, its config parameter and Powertools'. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Where the function runs in a VPC: its subnets and security group (see {@link vpcPlacement}). */
  readonly placement?: VpcPlacement | undefined;
}

/** A DR Lambda's place in a VPC. */
export interface VpcPlacement {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * Places a DR Lambda in `vpc` (`subnets`, the private subnets with egress by default): a security
 * group of its own in `scope` as `SecurityGroup`, with no inbound rule and, unless
 * `allowAllOutbound` is false, every outbound one, and the network interface
 * permissions Lambda uses the function's role for. A given role does not get the
 * AWSLambdaVPCAccessExecutionRole managed policy from CDK; these statements are that policy,
 * narrowed to the function's subnets and security group where EC2 allows it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
export function vpcPlacement(
  scope: Construct,
  role: iam.Role,
  vpc: ec2.IVpc,
  subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  /** Whether the group allows all outbound traffic; without it the caller adds each egress rule. */
  allowAllOutbound = true,
): VpcPlacement {
  const stack = Stack.of(scope);
  const description = allowAllOutbound
    ? `${scope.node.path} Lambda: outbound only`
    : `${scope.node.path} Lambda: no inbound, listed outbound`;
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', { vpc, description, allowAllOutbound });
  const ec2Arn = (resource: string) => `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:${resource}`;
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeNetworkInterfaces',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'CreateNetworkInterfaces',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        ec2Arn('network-interface/*'),
        ...vpc.selectSubnets(subnets).subnetIds.map((id) => ec2Arn(`subnet/${id}`)),
        ec2Arn(`security-group/${securityGroup.securityGroupId}`),
      ],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ManageNetworkInterfaces',
      actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: [ec2Arn('*/*')],
    }),
  );
  acknowledge(
    role,
    [
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${stack.region}:${stack.account}:network-interface/*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${stack.region}:${stack.account}:*/*]`,
    ],
    "Lambda manages the function's network interfaces with its role: DescribeNetworkInterfaces works only on \"*\", interface ids are made at run time, and Lambda's guide asks for DeleteNetworkInterface on all resource ids of the region; creation is pinned to the function's subnets and security group.",
  );
  return { vpc, subnets, securityGroup };
}

/**
 * A DR Lambda as `Function` in `scope`: the shipped bundle by default, on nodejs22.x and arm64,
 * told its app and config parameter (when it reads one) and its Powertools service and metrics namespace.
 */
export function drFunction(scope: Construct, options: DrFunctionOptions): lambda.Function {
  const dr = options.configParameter;
  const fn = new lambda.Function(scope, 'Function', {
    // nodejs22.x: the newest runtime the bundles are built and tested for (DESIGN.md pins it).
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    code: options.code ?? bundledCode(options.bundle),
    handler: options.handler ?? 'index.handler',
    memorySize: options.memorySize,
    timeout: options.timeout,
    role: options.role,
    logGroup: options.logGroup,
    description: options.description,
    vpc: options.placement?.vpc,
    vpcSubnets: options.placement?.subnets,
    securityGroups: options.placement ? [options.placement.securityGroup] : undefined,
    environment: {
      ...(dr ? { DR_APP: dr.config.app, DR_CONFIG_PARAMETER: dr.parameter.parameterName } : {}),
      ...options.environment,
      POWERTOOLS_SERVICE_NAME: powertoolsServiceName(options.bundle),
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
  });
  acknowledge(
    fn,
    ['AwsSolutions-L1'],
    `nodejs22.x is the newest runtime the ${options.bundle} bundle is built and tested for; it moves with the bundle.`,
  );
  return fn;
}

/** A DR Lambda's Powertools service name, `dr-<bundle>`: its logs' `service` and its metrics' `service` dimension. */
export function powertoolsServiceName(bundle: BundledHandler): string {
  return `dr-${bundle}`;
}

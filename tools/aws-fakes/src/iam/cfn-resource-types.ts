import { createHash } from 'node:crypto';
import type { SynthesizedStack } from './template-resolver.js';

/*
 * The resource types TemplateResolver knows: what Ref and Fn::GetAtt return for each, with the
 * names CloudFormation generates replaced by deterministic fake ids.
 */

export const PARTITION = 'aws';

/** Hex digits derived from `seed`: the fake's stand-in for what AWS generates at deploy time. */
function fakeHex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  return out.slice(0, length);
}

export function fakeUuid(seed: string): string {
  const h = fakeHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What AWS makes of a resource without a given name: `<stack>-<logical id>-<suffix>`, within `max` characters. */
function generatedName(stackName: string, logicalId: string, max = 64, lower = false): string {
  const suffix = fakeHex(`${stackName}/${logicalId}`, 12).toUpperCase();
  const name = `${stackName}-${logicalId}`.slice(0, max - suffix.length - 1) + `-${suffix}`;
  return lower ? name.toLowerCase() : name;
}

export interface ResourceContext {
  readonly stack: SynthesizedStack;
  readonly logicalId: string;
  readonly props: Readonly<Record<string, unknown>>;
  /** A property resolved to a string. */
  readonly prop: (name: string) => string | undefined;
  readonly seed: string;
}

/** Ref and Fn::GetAtt of one resource type, as CloudFormation documents each type's return values. */
export interface TypeModel {
  readonly ref: (r: ResourceContext) => string;
  readonly attributes?: Readonly<Record<string, (r: ResourceContext) => unknown>>;
  /** Attributes whose names carry a part of their own (a custom resource's `Data` keys, such as `EndpointGroupArn.<region>`). */
  readonly attribute?: (r: ResourceContext, name: string) => unknown;
}

const arn = (r: ResourceContext, service: string, resource: string, region = r.stack.region) =>
  `arn:${PARTITION}:${service}:${region}:${r.stack.account}:${resource}`;
const named = (r: ResourceContext, prop: string, max?: number, lower?: boolean) =>
  r.prop(prop) ?? generatedName(r.stack.stackName, r.logicalId, max, lower);

const lbName = (r: ResourceContext) =>
  named(r, 'Name', 32)
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, 32);
const lbArn = (r: ResourceContext) =>
  arn(r, 'elasticloadbalancing', `loadbalancer/${r.prop('Type') === 'network' ? 'net' : 'app'}/${lbName(r)}/${fakeHex(r.seed, 16)}`);
const tgName = (r: ResourceContext) =>
  named(r, 'Name', 32)
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, 32);
const tgArn = (r: ResourceContext) => arn(r, 'elasticloadbalancing', `targetgroup/${tgName(r)}/${fakeHex(r.seed, 16)}`);
const topicArn = (r: ResourceContext) => arn(r, 'sns', named(r, 'TopicName', 256));
const tableName = (r: ResourceContext) => named(r, 'TableName', 255);
const keyId = (r: ResourceContext) => fakeUuid(r.seed);
const logGroupName = (r: ResourceContext) => named(r, 'LogGroupName', 512);
const roleName = (r: ResourceContext) => named(r, 'RoleName', 64);
const functionName = (r: ResourceContext) => named(r, 'FunctionName', 64);
const clusterId = (r: ResourceContext) => named(r, 'DBClusterIdentifier', 63, true);
const globalClusterId = (r: ResourceContext) => named(r, 'GlobalClusterIdentifier', 63, true);
const acceleratorArn = (r: ResourceContext) => `arn:${PARTITION}:globalaccelerator::${r.stack.account}:accelerator/${fakeUuid(r.seed)}`;

/**
 * Return values of the resource types the DR templates' policies and config refer to.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
 */
export const TYPES: Readonly<Record<string, TypeModel>> = {
  'AWS::SNS::Topic': { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: (r) => named(r, 'TopicName', 256) } },
  'AWS::KMS::Key': { ref: keyId, attributes: { Arn: (r) => arn(r, 'kms', `key/${keyId(r)}`), KeyId: keyId } },
  'AWS::DynamoDB::Table': {
    ref: tableName,
    attributes: {
      Arn: (r) => arn(r, 'dynamodb', `table/${tableName(r)}`),
      StreamArn: (r) => arn(r, 'dynamodb', `table/${tableName(r)}/stream/2026-01-01T00:00:00.000`),
    },
  },
  'AWS::DynamoDB::GlobalTable': { ref: tableName, attributes: { Arn: (r) => arn(r, 'dynamodb', `table/${tableName(r)}`) } },
  'AWS::SSM::Parameter': { ref: (r) => named(r, 'Name', 1011) },
  'AWS::IAM::Role': {
    ref: roleName,
    attributes: {
      Arn: (r) => `arn:${PARTITION}:iam::${r.stack.account}:role/${roleName(r)}`,
      RoleId: (r) => `AROA${fakeHex(r.seed, 17).toUpperCase()}`,
    },
  },
  'AWS::IAM::ManagedPolicy': {
    ref: (r) => `arn:${PARTITION}:iam::${r.stack.account}:policy/${named(r, 'ManagedPolicyName', 128)}`,
    attributes: { PolicyArn: (r) => `arn:${PARTITION}:iam::${r.stack.account}:policy/${named(r, 'ManagedPolicyName', 128)}` },
  },
  'AWS::Logs::LogGroup': { ref: logGroupName, attributes: { Arn: (r) => arn(r, 'logs', `log-group:${logGroupName(r)}:*`) } },
  'AWS::Lambda::Function': { ref: functionName, attributes: { Arn: (r) => arn(r, 'lambda', `function:${functionName(r)}`) } },
  'AWS::RDS::DBInstance': {
    ref: (r) => named(r, 'DBInstanceIdentifier', 63, true),
    attributes: {
      'Endpoint.Address': (r) => `${named(r, 'DBInstanceIdentifier', 63, true)}.${fakeHex(r.seed, 12)}.${r.stack.region}.rds.amazonaws.com`,
      'Endpoint.Port': () => '3306',
      DBInstanceArn: (r) => arn(r, 'rds', `db:${named(r, 'DBInstanceIdentifier', 63, true)}`),
    },
  },
  'AWS::RDS::DBParameterGroup': { ref: (r) => named(r, 'DBParameterGroupName', 255, true) },
  // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html (Ref: the cluster identifier)
  'AWS::RDS::DBCluster': {
    ref: clusterId,
    attributes: {
      DBClusterArn: (r) => arn(r, 'rds', `cluster:${clusterId(r)}`),
      DBClusterResourceId: (r) => `cluster-${fakeHex(r.seed, 26).toUpperCase()}`,
      'Endpoint.Address': (r) => `${clusterId(r)}.cluster-${fakeHex(r.seed, 12)}.${r.stack.region}.rds.amazonaws.com`,
      'Endpoint.Port': () => '3306',
      'ReadEndpoint.Address': (r) => `${clusterId(r)}.cluster-ro-${fakeHex(r.seed, 12)}.${r.stack.region}.rds.amazonaws.com`,
    },
  },
  // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-globalcluster.html (Ref: the global cluster identifier)
  'AWS::RDS::GlobalCluster': {
    ref: globalClusterId,
    attributes: {
      'GlobalEndpoint.Address': (r) => `${globalClusterId(r)}.global-${fakeHex(r.seed, 12)}.global.rds.amazonaws.com`,
    },
  },
  // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbclusterparametergroup.html (Ref: the group's name)
  'AWS::RDS::DBClusterParameterGroup': { ref: (r) => named(r, 'DBClusterParameterGroupName', 255, true) },
  'AWS::RDS::DBSubnetGroup': { ref: (r) => named(r, 'DBSubnetGroupName', 255, true) },
  'AWS::AutoScaling::AutoScalingGroup': { ref: (r) => named(r, 'AutoScalingGroupName', 255) },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    ref: lbArn,
    attributes: {
      DNSName: (r) => `${lbName(r)}-${parseInt(fakeHex(r.seed, 8), 16)}.${r.stack.region}.elb.amazonaws.com`,
      LoadBalancerFullName: (r) => lbArn(r).split(':loadbalancer/')[1],
      LoadBalancerName: lbName,
      LoadBalancerArn: lbArn,
      CanonicalHostedZoneID: () => 'Z35SXDOTRQ7X7K',
    },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    ref: tgArn,
    attributes: { TargetGroupArn: tgArn, TargetGroupFullName: (r) => tgArn(r).split(':')[5], TargetGroupName: tgName },
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    ref: (r) => `${r.prop('LoadBalancerArn')?.replace(':loadbalancer/', ':listener/')}/${fakeHex(r.seed, 16)}`,
  },
  'AWS::GlobalAccelerator::Accelerator': {
    ref: acceleratorArn,
    attributes: { AcceleratorArn: acceleratorArn, DnsName: (r) => `a${fakeHex(r.seed, 16)}.awsglobalaccelerator.com` },
  },
  'AWS::GlobalAccelerator::Listener': {
    ref: (r) => `${r.prop('AcceleratorArn')}/listener/${fakeHex(r.seed, 8)}`,
    attributes: { ListenerArn: (r) => `${r.prop('AcceleratorArn')}/listener/${fakeHex(r.seed, 8)}` },
  },
  'AWS::GlobalAccelerator::EndpointGroup': {
    ref: (r) => `${r.prop('ListenerArn')}/endpoint-group/${fakeHex(r.seed, 12)}`,
    attributes: { EndpointGroupArn: (r) => `${r.prop('ListenerArn')}/endpoint-group/${fakeHex(r.seed, 12)}` },
  },
  'AWS::Route53::HealthCheck': { ref: (r) => fakeUuid(r.seed), attributes: { HealthCheckId: (r) => fakeUuid(r.seed) } },
  'AWS::EC2::SecurityGroup': { ref: (r) => `sg-${fakeHex(r.seed, 17)}`, attributes: { GroupId: (r) => `sg-${fakeHex(r.seed, 17)}` } },
  'AWS::EC2::Subnet': { ref: (r) => `subnet-${fakeHex(r.seed, 17)}`, attributes: { SubnetId: (r) => `subnet-${fakeHex(r.seed, 17)}` } },
  'AWS::EC2::VPC': {
    ref: (r) => `vpc-${fakeHex(r.seed, 17)}`,
    attributes: { VpcId: (r) => `vpc-${fakeHex(r.seed, 17)}`, CidrBlock: (r) => r.prop('CidrBlock') },
  },
  'AWS::S3::Bucket': {
    ref: (r) => named(r, 'BucketName', 63, true),
    attributes: { Arn: (r) => `arn:${PARTITION}:s3:::${named(r, 'BucketName', 63, true)}` },
  },
  'AWS::SecretsManager::Secret': { ref: (r) => arn(r, 'secretsmanager', `secret:${named(r, 'Name', 256)}-${fakeHex(r.seed, 6)}`) },
  // "Ref returns the ARN of the secret" it attaches.
  'AWS::SecretsManager::SecretTargetAttachment': { ref: (r) => r.prop('SecretId') ?? '' },
  // GlobalEntryPoint's endpoint groups: the provider answers one group ARN per region.
  'Custom::EndpointGroups': {
    ref: (r) => `${r.prop('ListenerArn')}#endpoint-groups`,
    attribute: (r, name) =>
      /^EndpointGroupArn\.[a-z0-9-]+$/.test(name)
        ? `${r.prop('ListenerArn')}/endpoint-group/${fakeHex(`${r.seed}/${name}`, 12)}`
        : undefined,
  },
};

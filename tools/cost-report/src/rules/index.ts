/**
 * Which rule prices which CloudFormation type. A type not listed costs 0 and is reported as
 * "not priced", so nothing the templates declare is silently dropped.
 */
import { dbCluster } from './aurora.js';
import { autoScalingGroup, lambdaFunction } from './compute.js';
import { uncounted, type Rule } from './context.js';
import { bucket, dbInstance, dynamoTable, kmsKey, kmsReplicaKey, secret } from './data.js';
import { flowLog, elasticIp, loadBalancer, natGateway, vpcEndpoint } from './network.js';
import { accelerator, alarm, compositeAlarm, dashboard, healthCheck, hostedZone } from './observability.js';

/** Rules by resource type; log groups are priced last (see `report.ts`), after their writers. */
export const RULES: Readonly<Record<string, Rule>> = {
  'AWS::EC2::NatGateway': natGateway,
  'AWS::EC2::EIP': elasticIp,
  'AWS::EC2::VPCEndpoint': vpcEndpoint,
  'AWS::ElasticLoadBalancingV2::LoadBalancer': loadBalancer,
  'AWS::EC2::FlowLog': flowLog,
  'AWS::AutoScaling::AutoScalingGroup': autoScalingGroup,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::RDS::DBInstance': dbInstance,
  'AWS::RDS::DBCluster': dbCluster,
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::SecretsManager::Secret': secret,
  'AWS::KMS::Key': kmsKey,
  'AWS::KMS::ReplicaKey': kmsReplicaKey,
  'AWS::S3::Bucket': bucket,
  'AWS::CloudWatch::Alarm': alarm,
  'AWS::CloudWatch::CompositeAlarm': compositeAlarm,
  'AWS::CloudWatch::Dashboard': dashboard,
  'AWS::Route53::HealthCheck': healthCheck,
  'AWS::Route53::HostedZone': hostedZone,
  'AWS::GlobalAccelerator::Accelerator': accelerator,
};

const free =
  (why: string): Rule =>
  () => [uncounted('free', why)];
const usage =
  (why: string): Rule =>
  () => [uncounted('usage', why)];

/** Types with no charge of their own, or whose charge is counted on another line, and why. */
export const NO_CHARGE_RULES: Readonly<Record<string, Rule>> = {
  'AWS::EC2::VPC': free('no charge'),
  'AWS::EC2::Subnet': free('no charge'),
  'AWS::EC2::RouteTable': free('no charge'),
  'AWS::EC2::Route': free('no charge'),
  'AWS::EC2::SubnetRouteTableAssociation': free('no charge'),
  'AWS::EC2::InternetGateway': free('no charge (data transfer out is usage)'),
  'AWS::EC2::VPCGatewayAttachment': free('no charge'),
  'AWS::EC2::SecurityGroup': free('no charge'),
  'AWS::EC2::SecurityGroupIngress': free('no charge'),
  'AWS::EC2::SecurityGroupEgress': free('no charge'),
  'AWS::EC2::LaunchTemplate': free('counted on its Auto Scaling group'),
  'AWS::ElasticLoadBalancingV2::Listener': free('counted on its load balancer'),
  'AWS::ElasticLoadBalancingV2::TargetGroup': free('counted on its load balancer'),
  'AWS::GlobalAccelerator::Listener': free('counted on its accelerator'),
  'AWS::GlobalAccelerator::EndpointGroup': free('counted on its accelerator'),
  'AWS::IAM::Role': free('no charge'),
  'AWS::IAM::Policy': free('no charge'),
  'AWS::IAM::ManagedPolicy': free('no charge'),
  'AWS::IAM::InstanceProfile': free('no charge'),
  'AWS::Lambda::Permission': free('no charge'),
  'AWS::Events::Rule': free('scheduled rules: no charge; the function they run is counted'),
  'AWS::RDS::DBSubnetGroup': free('no charge'),
  'AWS::RDS::DBParameterGroup': free('no charge'),
  'AWS::RDS::DBClusterParameterGroup': free('no charge'),
  'AWS::RDS::GlobalCluster': free('no charge of its own: its clusters and their instances are counted'),
  'AWS::S3::BucketPolicy': free('no charge'),
  'AWS::SNS::TopicPolicy': free('no charge'),
  'AWS::SecretsManager::SecretTargetAttachment': free('no charge'),
  'AWS::Route53::RecordSet': free('queries counted on its hosted zone'),
  'AWS::SSM::Parameter': (ctx) => [
    uncounted(
      ctx.resource.Properties?.Tier === 'Advanced' ? 'not-priced' : 'free',
      ctx.resource.Properties?.Tier === 'Advanced' ? 'advanced parameter: no price in the table' : 'standard parameter: no charge',
    ),
  ],
  'AWS::SNS::Topic': usage('publishes and deliveries are usage: not counted'),
  'AWS::ECR::Repository': usage('image storage is usage: not counted'),
  'AWS::ImageBuilder::ImagePipeline': usage('builds run EC2 instances and store snapshots: usage, not counted'),
  'AWS::ImageBuilder::ImageRecipe': free('no charge'),
  'AWS::ImageBuilder::Component': free('no charge'),
  'AWS::ImageBuilder::InfrastructureConfiguration': free('no charge'),
  'AWS::ImageBuilder::DistributionConfiguration': free('no charge'),
  'AWS::CloudFormation::CustomResource': free('runs at deploy time; its function is listed'),
};

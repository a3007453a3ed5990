import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GlobalAcceleratorClient } from '@aws-sdk/client-global-accelerator';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { FakeService } from './fake-aws-state.js';

/** One aws-sdk-client-mock stub per service FakeAws models, by signing name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one stub per service, each typed by its own client
export type FakeSdkMocks = Partial<Record<FakeService, AwsStub<any, any, any>>>;

/** Stubs every SDK client class of the services FakeAws models, so this process's own clients reach the fake. */
export function mockSdkClients(): FakeSdkMocks {
  return {
    rds: mockClient(RDSClient),
    autoscaling: mockClient(AutoScalingClient),
    elasticloadbalancing: mockClient(ElasticLoadBalancingV2Client),
    globalaccelerator: mockClient(GlobalAcceleratorClient),
    monitoring: mockClient(CloudWatchClient),
    sns: mockClient(SNSClient),
    ssm: mockClient(SSMClient),
    ec2: mockClient(EC2Client),
    servicequotas: mockClient(ServiceQuotasClient),
    cloudformation: mockClient(CloudFormationClient),
    secretsmanager: mockClient(SecretsManagerClient),
  };
}

import { describe, expect, it } from 'vitest';
import { buildReport, isNoPriceError, type CostLine, type StackTemplate } from '../src/index.js';
import { REGIONS, stack } from './fixtures.js';

const lineOf = (lines: readonly CostLine[], logicalId: string): CostLine => {
  const line = lines.find((l) => l.logicalId === logicalId);
  if (!line) throw new Error(`no line ${logicalId}`);
  return line;
};

const report = (stacks: readonly StackTemplate[]) => buildReport(stacks, REGIONS);

describe('NAT gateway', () => {
  it('bills its hours and its public IPv4 address, and its Elastic IP is not counted twice', () => {
    const { lines } = report([
      stack('Net', 'us-east-1', {
        Eip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
        Nat: {
          Type: 'AWS::EC2::NatGateway',
          Properties: { AllocationId: { 'Fn::GetAtt': ['Eip', 'AllocationId'] }, SubnetId: 'subnet-1' },
        },
      }),
    ]);

    const nat = lineOf(lines, 'Nat');
    expect(nat.idleUsd).toBeCloseTo(730 * 0.045 + 730 * 0.005, 2);
    expect(nat.basis).toMatch(/NAT gateway-hour × \$0\.045.*public IPv4/);
    expect(lineOf(lines, 'Eip')).toMatchObject({ kind: 'free', idleUsd: 0 });
  });

  it('bills an Elastic IP no NAT gateway uses as a public IPv4 address', () => {
    const { lines } = report([stack('Net', 'us-east-1', { Eip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } } })]);

    expect(lineOf(lines, 'Eip').idleUsd).toBeCloseTo(730 * 0.005, 2);
  });
});

describe('VPC endpoint', () => {
  it('bills an interface endpoint per subnet (one AZ each) per hour, and a gateway endpoint nothing', () => {
    const { lines } = report([
      stack('Net', 'eu-west-1', {
        Logs: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-1.logs', SubnetIds: ['a', 'b', 'c'] },
        },
        S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway', ServiceName: 'com.amazonaws.eu-west-1.s3' } },
      }),
    ]);

    expect(lineOf(lines, 'Logs').idleUsd).toBeCloseTo(3 * 730 * 0.011, 2);
    expect(lineOf(lines, 'Logs').basis).toContain('3 AZ × 730 h');
    expect(lineOf(lines, 'S3')).toMatchObject({ kind: 'free', idleUsd: 0, failoverUsd: 0 });
  });
});

describe('Application Load Balancer', () => {
  const alb = (scheme: string) => ({
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    Properties: { Type: 'application', Scheme: scheme, Subnets: ['a', 'b'] },
  });

  it('adds a public IPv4 address per subnet when internet-facing, none when internal', () => {
    const { lines } = report([stack('App', 'us-east-1', { Public: alb('internet-facing'), Private: alb('internal') })]);

    expect(lineOf(lines, 'Public').idleUsd).toBeCloseTo(730 * 0.0225 + 2 * 730 * 0.005, 2);
    expect(lineOf(lines, 'Private').idleUsd).toBeCloseTo(730 * 0.0225, 2);
  });

  it('counts the assumed LCUs only while its region serves: the DR region in a failover', () => {
    const { lines } = report([stack('App', 'us-east-1', { Private: alb('internal') })]);

    const line = lineOf(lines, 'Private');
    expect(line.failoverUsd - line.idleUsd).toBeCloseTo(730 * 0.008, 2);
    expect(line.basis).toMatch(/assumed 0 LCU while dark.*assumed 1 LCU while serving/);
  });
});

describe('Lambda function', () => {
  const fn = (props: Record<string, unknown>) => ({ Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', ...props } });
  const every = (expression: string, target: string) => ({
    Type: 'AWS::Events::Rule',
    Properties: { ScheduleExpression: expression, State: 'ENABLED', Targets: [{ Arn: { 'Fn::GetAtt': [target, 'Arn'] }, Id: 'Target0' }] },
  });

  it('bills its schedule × billed duration × memory at the arm64 price, the probe window as the duration', () => {
    const { lines } = report([
      stack('Control', 'us-east-1', {
        Controller: fn({
          MemorySize: 512,
          Architectures: ['arm64'],
          Environment: { Variables: { DR_PROBE_WINDOW_SECONDS: '56', POWERTOOLS_SERVICE_NAME: 'other' } },
        }),
        Schedule: every('rate(1 minute)', 'Controller'),
      }),
    ]);

    const line = lineOf(lines, 'Controller');
    const compute = 43_800 * 56 * 0.5 * 0.0000133334;
    const requests = 0.0438 * 0.2;
    const logs = ((43_800 * 2000) / 1e9) * 0.5;
    expect(line.idleUsd).toBeCloseTo(compute + requests + logs, 2);
    expect(line.basis).toContain('56 s DR_PROBE_WINDOW_SECONDS × 512 MB arm64');
  });

  it('bills x86_64 at 128 MB by default, with the assumed duration', () => {
    const { lines } = report([stack('Control', 'us-east-1', { Job: fn({}), Daily: every('cron(0 2 * * ? *)', 'Job') })]);

    expect(lineOf(lines, 'Job').basis).toContain('1 s assumed × 128 MB x86_64');
  });

  it('bills arm64 20% less per GB-second than x86_64', () => {
    const build = (arch: string) =>
      lineOf(
        report([
          stack('Control', 'us-east-1', {
            Job: fn({ MemorySize: 1024, Architectures: [arch], Environment: { Variables: { DR_PROBE_WINDOW_SECONDS: '60' } } }),
            Daily: every('rate(1 minute)', 'Job'),
          }),
        ]).lines,
        'Job',
      );

    const x86 = build('x86_64');
    const arm = build('arm64');
    const computeX86 = 43_800 * 60 * 1 * 0.0000166667;
    const computeArm = 43_800 * 60 * 1 * 0.0000133334;
    // Each line is rounded to cents: the difference is within 2 cents.
    expect(Math.abs(x86.idleUsd - arm.idleUsd - (computeX86 - computeArm))).toBeLessThan(0.02);
    expect(computeArm / computeX86).toBeCloseTo(0.8, 4);
  });

  it('bills a function a probing function names in its environment once per detection round of its windows', () => {
    const { lines } = report([
      stack('Control', 'us-east-1', {
        Controller: fn({
          MemorySize: 192,
          Architectures: ['arm64'],
          Environment: { Variables: { DR_PROBE_WINDOW_SECONDS: '56', DR_HEALTH_RECORD_READER: { 'Fn::GetAtt': ['Reader', 'Arn'] } } },
        }),
        Every: {
          Type: 'AWS::Events::Rule',
          Properties: { ScheduleExpression: 'rate(1 minute)', Targets: [{ Arn: { 'Fn::GetAtt': ['Controller', 'Arn'] }, Id: 't' }] },
        },
        Reader: fn({ MemorySize: 128, Architectures: ['arm64'] }),
      }),
    ]);

    const reader = lineOf(lines, 'Reader');
    expect(reader.kind).toBe('priced');
    expect(reader.basis).toMatch(/245,280 invocations from Controller's 56 s windows/);
    expect(reader.idleUsd).toBeGreaterThan(0.05);
  });

  it('lists a function with no schedule as usage, not counted', () => {
    const { lines } = report([stack('Control', 'us-east-1', { Handler: fn({}) })]);

    expect(lineOf(lines, 'Handler')).toMatchObject({ kind: 'usage', idleUsd: 0 });
  });
});

describe('CloudWatch alarm', () => {
  it('bills a metric-math alarm per metric it reads, not per expression', () => {
    const metric = (id: string) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: id }, Period: 60, Stat: 'Sum' },
      ReturnData: false,
    });
    const { lines } = report([
      stack('Mon', 'us-east-1', {
        Math: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            Metrics: [{ Id: 'e1', Expression: '(a + b) / c', ReturnData: true }, metric('a'), metric('b'), metric('c')],
            Threshold: 1,
            EvaluationPeriods: 1,
            ComparisonOperator: 'GreaterThanThreshold',
          },
        },
        Plain: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Period: 60, Threshold: 1, EvaluationPeriods: 1 },
        },
      }),
    ]);

    expect(lineOf(lines, 'Math').idleUsd).toBeCloseTo(0.3, 2);
    expect(lineOf(lines, 'Plain').idleUsd).toBeCloseTo(0.1, 2);
  });

  it('counts each custom metric its alarms read once, as a custom metric of its namespace', () => {
    const check = (name: string) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Namespace: 'DR/Readiness', MetricName: name, Dimensions: [{ Name: 'App', Value: 'lamp' }], Period: 300 },
    });
    const { lines } = report([stack('Control', 'us-east-1', { A: check('replica-lag'), B: check('dr-image'), C: check('dr-image') })]);

    expect(lineOf(lines, '(metrics DR/Readiness)').idleUsd).toBeCloseTo(2 * 0.3, 2);
  });
});

describe('KMS key', () => {
  it('counts a key only a read replica uses with the replica database, which the DR figure leaves out; other keys stay in', () => {
    const { lines } = report([
      stack('Dr', 'us-east-1', {
        ReplicaKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
        TopicKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
        Replica: {
          Type: 'AWS::RDS::DBInstance',
          Properties: {
            DBInstanceClass: 'db.t3.small',
            SourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:123456789012:db:x',
            KmsKeyId: { 'Fn::GetAtt': ['ReplicaKey', 'Arn'] },
            AllocatedStorage: '20',
          },
        },
        Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['TopicKey', 'Arn'] } } },
      }),
    ]);

    expect(lineOf(lines, 'ReplicaKey').excluded).toBe('replica-database');
    expect(lineOf(lines, 'TopicKey').excluded).toBeUndefined();
  });
});

describe('Secrets Manager secret', () => {
  it('bills its replica as a secret in the replica region', () => {
    const { lines, regions } = report([
      stack('Primary', 'eu-west-1', {
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { ReplicaRegions: [{ Region: 'us-east-1' }] } },
      }),
    ]);

    expect(lineOf(lines, 'Secret')).toMatchObject({ region: 'eu-west-1', idleUsd: 0.4 });
    expect(lineOf(lines, 'Secret (replica us-east-1)')).toMatchObject({ region: 'us-east-1', stack: 'Primary', idleUsd: 0.4 });
    expect(regions.find((r) => r.region === 'us-east-1')?.idleUsd).toBe(0.4);
  });
});

describe('Auto Scaling group', () => {
  const group = (min: string, max: string) => ({
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    Properties: { MinSize: min, MaxSize: max, LaunchTemplate: { LaunchTemplateId: { Ref: 'Template' }, Version: '1' } },
  });
  const template = {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateData: {
        InstanceType: 't3.micro',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }],
      },
    },
  };

  it("runs none idle in the DR region and the primary group's capacity in a failover, capped by its MaxSize", () => {
    const { lines } = report([
      stack('Primary', 'eu-west-1', { Group: group('3', '6'), Template: template }),
      stack('Secondary', 'us-east-1', { Group: group('0', '2'), Template: template }),
    ]);

    const dr = lines.find((l) => l.stack === 'Secondary' && l.logicalId === 'Group');
    expect(dr?.idleUsd).toBe(0);
    expect(dr?.failoverUsd).toBeCloseTo(2 * 730 * 0.0104 + 2 * 20 * 0.08, 2);
    expect(dr?.basis).toContain('capped by MaxSize 2');
  });
});

describe('a region with no price', () => {
  it('is refused with an error naming the region and the price', () => {
    const attempt = () =>
      buildReport([stack('Far', 'ap-south-1', { Nat: { Type: 'AWS::EC2::NatGateway', Properties: {} } })], {
        drRegion: 'ap-south-1',
        primaryRegion: 'eu-west-1',
      });

    expect(attempt).toThrow(/no price for nat-gateway-hour in ap-south-1 \(needed by Far\/Nat/);
    try {
      attempt();
    } catch (error) {
      expect(isNoPriceError(error)).toBe(true);
    }
  });

  it('is not needed for resources that cost nothing there', () => {
    const { lines } = buildReport(
      [stack('Far', 'ap-south-1', { Vpc: { Type: 'AWS::EC2::VPC', Properties: {} }, Thing: { Type: 'AWS::Some::Thing', Properties: {} } })],
      { drRegion: 'ap-south-1', primaryRegion: 'eu-west-1' },
    );

    expect(lineOf(lines, 'Thing')).toMatchObject({ kind: 'not-priced', idleUsd: 0 });
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type cx_api as cxapi } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { PilotLight, type DatabaseSettings, type PilotLightProps } from '../src/index.js';
import { referenceProps } from './helpers.js';
import { parseJoinedJson } from './template-json.js';

const props = referenceProps;

function blueprint(overrides: Partial<PilotLightProps> = {}) {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const pilot = new PilotLight(app, 'Lamp', { ...props, ...overrides });
  return { app, pilot };
}

let shared: ReturnType<typeof blueprint> | undefined;
/** The default blueprint, made once for the tests that only read it (none adds to its tree). */
const defaultBlueprint = () => (shared ??= blueprint());

describe('PilotLight', () => {
  it('composes the primary, pilot-light, global, control and config stacks in their regions', () => {
    const { app } = defaultBlueprint();

    const stacks = app.synth().stacks.map((s) => `${s.stackName}@${s.environment.region}`);

    expect(stacks.sort()).toEqual([
      'Lamp-Control@us-east-1',
      'Lamp-Global@us-west-2',
      'Lamp-Primary@eu-west-1',
      'Lamp-PrimaryConfig@eu-west-1',
      'Lamp-Secondary@us-east-1',
    ]);
  });

  it('makes its stacks children of itself, not of its scope, each named <id>-<part> in CloudFormation', () => {
    const { app, pilot } = defaultBlueprint();

    const stacks = [pilot.primaryStack, pilot.secondaryStack, pilot.globalStack, pilot.controlStack, pilot.primaryConfigStack];

    expect(stacks.map((s) => [s.node.path, s.stackName])).toEqual([
      ['Lamp/Primary', 'Lamp-Primary'],
      ['Lamp/Secondary', 'Lamp-Secondary'],
      ['Lamp/Global', 'Lamp-Global'],
      ['Lamp/Control', 'Lamp-Control'],
      ['Lamp/PrimaryConfig', 'Lamp-PrimaryConfig'],
    ]);
    expect(app.node.children.filter((c) => Stack.isStack(c))).toEqual([]);
  });

  it('writes the DR config in both regions, wired to the deployed resources', () => {
    const { pilot } = defaultBlueprint();
    for (const stack of [pilot.controlStack, pilot.primaryConfigStack]) {
      const [param] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter')) as {
        Properties: { Name: string; Value: unknown };
      }[];
      expect(param?.Properties.Name).toBe('/dr/lamp/config');
      const text = JSON.stringify(param?.Properties.Value);
      for (const expected of [
        'primary-asg',
        'lamp-replica',
        'lamp-primary-alb-availability',
        'lamp-primary-params',
        'lamp-replica-retired',
        'dbKmsKeyArn',
        'dbSubnetGroupName',
        'dbSecurityGroupIds',
        'dbSettings',
      ])
        expect(text).toContain(expected);
    }
  });

  it("names the controller's topic in the config, so dr publishes where the controller does: the DR region's one topic, in the pilot light's stack", () => {
    const { pilot } = defaultBlueprint();
    const control = Template.fromStack(pilot.controlStack);
    const secondary = Template.fromStack(pilot.secondaryStack).toJSON() as {
      Resources: Record<string, Resource>;
      Outputs: Record<string, { Value: unknown; Export: { Name: string } }>;
    };
    const [topicId, ...others] = Object.keys(secondary.Resources).filter((id) => secondary.Resources[id]!.Type === 'AWS::SNS::Topic');
    const exported = Object.values(secondary.Outputs).find((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: topicId }))?.Export
      .Name;
    const [param] = Object.values(control.findResources('AWS::SSM::Parameter')) as { Properties: { Value: unknown } }[];

    expect(others).toEqual([]);
    control.resourceCountIs('AWS::SNS::Topic', 0);
    expect(exported).toBeDefined();
    expect(JSON.stringify(param?.Properties.Value)).toMatch(new RegExp(`topicArn.{0,12}\\{"Fn::ImportValue":"${exported}"\\}`));
    control.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DR_TOPIC_ARN: { 'Fn::ImportValue': exported } }) },
    });
  });

  it("turns on the primary bucket's replication only after the DR bucket exists", () => {
    const { app, pilot } = defaultBlueprint();
    const bucket = (stack: typeof pilot.primaryStack, name: string) =>
      Template.fromStack(stack).findResources('AWS::S3::Bucket', { Properties: { BucketName: name } });

    // Inline, the Primary stack's first deploy would fail: the DR bucket does not exist yet.
    const primaryBucket = Object.values(bucket(pilot.primaryStack, 'primary-lamp-bucket-2023'))[0] as {
      Properties: Record<string, unknown>;
    };
    expect(primaryBucket.Properties.ReplicationConfiguration).toBeUndefined();
    // The DR bucket deploys after the primary one, so its rule can be inline.
    const drBucket = Object.values(bucket(pilot.secondaryStack, 'secondary-lamp-bucket-2023'))[0] as {
      Properties: { ReplicationConfiguration?: { Rules: unknown[] } };
    };
    expect(drBucket.Properties.ReplicationConfiguration?.Rules).toHaveLength(1);
    Template.fromStack(pilot.primaryConfigStack).resourceCountIs('Custom::BucketReplication', 1);
    const manifest = app.synth().getStackByName('Lamp-PrimaryConfig');
    // The stacks are children of the PilotLight construct: their artifact ids derive from the path, their names stay.
    expect(manifest.dependencies.map((d) => (d as cxapi.CloudFormationStackArtifact).stackName)).toContain('Lamp-Secondary');
  });

  it('keeps the pilot light dark: no instances, endpoint at weight 0', () => {
    const { pilot } = defaultBlueprint();

    Template.fromStack(pilot.secondaryStack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      AutoScalingGroupName: 'secondary-asg',
      MinSize: '0',
    });
    Template.fromStack(pilot.globalStack).hasResourceProperties('Custom::EndpointGroups', {
      ServingRegion: 'eu-west-1',
      Endpoints: Match.arrayWith([Match.objectLike({ Region: 'us-east-1' })]),
    });
  });

  it("gives each region's app what its /ref page checks: the database (primary, or the replica) as the app user, and the bucket", () => {
    const { pilot } = defaultBlueprint();
    const userData = (stack: typeof pilot.primaryStack) =>
      JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::EC2::LaunchTemplate'))[0]);

    for (const [stack, bucket, region] of [
      [pilot.primaryStack, 'primary-lamp-bucket-2023', 'eu-west-1'],
      [pilot.secondaryStack, 'secondary-lamp-bucket-2023', 'us-east-1'],
    ] as const) {
      const text = userData(stack);
      expect(text).toContain('/etc/lamp/env');
      expect(text).toContain(`'lamp_app' 'lampdb' '${bucket}' '${region}' > /etc/lamp/env`);
      expect(text).toContain('Endpoint.Address');
      expect(text).toContain('aws rds generate-db-auth-token');
      expect(text).not.toContain('secretsmanager');
    }
  });

  /** The primary's boot script as the instance gets it, deploy-time values as placeholders. */
  function bootScript(): string {
    const { pilot } = defaultBlueprint();
    const template = Template.fromStack(pilot.primaryStack);
    const data = (
      Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0] as {
        Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': unknown } } };
      }
    ).Properties.LaunchTemplateData.UserData['Fn::Base64'];
    const parts = (data as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    return parts.map((p) => (typeof p === 'string' ? p : 'db.example.internal')).join('');
  }

  it('boots with scripts that run: the env file has no password, and the token script writes a token only root and apache read', () => {
    const script = bootScript();
    const dir = mkdtempSync(join(tmpdir(), 'userdata-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // Stand-ins for the instance: the CLI prints what it was asked, and there is no apache group here.
    writeFileSync(join(bin, 'aws'), '#!/bin/bash\necho "token-for $*"\n', { mode: 0o755 });
    writeFileSync(join(bin, 'chown'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
    const local = (text: string) => text.replaceAll('/etc/lamp', dir);
    // Only the stand-ins and the system's tools: never a real AWS CLI this machine may have.
    const env = { ...process.env, PATH: `${bin}:/usr/bin:/bin` };
    writeFileSync(join(dir, 'script.sh'), script);
    const printf = /^printf [\s\S]*? > \/etc\/lamp\/env$/m.exec(script)?.[0];
    const tokenScript = /cat > \/usr\/local\/sbin\/lamp-db-token <<'SH'\n([\s\S]*?)\nSH/.exec(script)?.[1];

    expect(spawnSync('bash', ['-n', join(dir, 'script.sh')]).status).toBe(0);
    expect(spawnSync('bash', ['-c', local(printf!)], { env }).status).toBe(0);
    expect(readFileSync(join(dir, 'env'), 'utf8')).toBe(
      'DB_HOST="db.example.internal"\nDB_USER="lamp_app"\nDB_NAME="lampdb"\nBUCKET="primary-lamp-bucket-2023"\nAWS_REGION="eu-west-1"\n',
    );
    const run = spawnSync('bash', ['-c', local(tokenScript!)], { env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(readFileSync(join(dir, 'db-token'), 'utf8')).toBe(
      'token-for rds generate-db-auth-token --hostname db.example.internal --port 3306 --username lamp_app --region eu-west-1 --output text\n',
    );
    expect(statSync(join(dir, 'db-token')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.startsWith('.db-token'))).toEqual([]);
  });

  it('refreshes the token every 5 minutes, well within its 15-minute life, and once before Apache serves', () => {
    const script = bootScript();

    expect(script).toMatch(/\[Timer\]\nOnActiveSec=0\nOnUnitActiveSec=5min\n/);
    expect(script).toContain('systemctl enable --now lamp-db-token.timer');
    expect(script.indexOf('do /usr/local/sbin/lamp-db-token && break')).toBeLessThan(script.indexOf('systemctl restart httpd'));
  });

  it('after a failover, serves from the DR region when activeRegion names it', () => {
    const { pilot } = blueprint({ activeRegion: 'us-east-1' });
    const global = Template.fromStack(pilot.globalStack);

    global.hasResourceProperties('Custom::EndpointGroups', { ServingRegion: 'us-east-1' });
    Template.fromStack(pilot.secondaryStack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      AutoScalingGroupName: 'secondary-asg',
      MinSize: '2',
      DesiredCapacity: Match.absent(),
    });
  });

  it('guards the primary as the serving region by default', () => {
    Template.fromStack(defaultBlueprint().pilot.globalStack).hasResourceProperties('Custom::EndpointGroups', {
      ServingRegion: 'eu-west-1',
      CheckServingRegion: 'true',
    });
  });

  it('refuses an activeRegion that is neither region', () => {
    expect(() => blueprint({ activeRegion: 'us-west-2' })).toThrowError(
      /activeRegion must be primary\.region \(eu-west-1\) or secondary\.region \(us-east-1\); got "us-west-2"/,
    );
  });

  it('with a certificate in each region, serves HTTPS in both and the accelerator listens on 443', () => {
    const cert = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/abc`;
    const { pilot } = blueprint({
      primary: { ...props.primary, certificateArn: cert('eu-west-1') },
      secondary: { ...props.secondary, certificateArn: cert('us-east-1') },
    });

    Template.fromStack(pilot.primaryStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: cert('eu-west-1') }],
    });
    Template.fromStack(pilot.secondaryStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: cert('us-east-1') }],
    });
    Template.fromStack(pilot.globalStack).hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      PortRanges: [
        { FromPort: 80, ToPort: 80 },
        { FromPort: 443, ToPort: 443 },
      ],
    });
  });

  it('refuses a certificate in one region only', () => {
    expect(() =>
      blueprint({ primary: { ...props.primary, certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } }),
    ).toThrowError(/secondary\.certificateArn and primary\.certificateArn must be given both or neither/);
  });

  it("subscribes the notification email to each region's scaling notifications", () => {
    const { pilot } = blueprint({ notificationEmail: 'oncall@example.com' });

    for (const stack of [pilot.primaryStack, pilot.secondaryStack]) {
      const t = Template.fromStack(stack);
      const [group] = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup')) as {
        Properties: { NotificationConfigurations: { TopicARN: unknown }[] };
      }[];
      const topic = group?.Properties.NotificationConfigurations[0]?.TopicARN;
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topic });
    }
  });

  it("notifies every alarm and each group's scaling events to the one encrypted topic of its own region, the primary's included, each subscribed to the email and the other subscribers", () => {
    const { pilot } = blueprint({
      notificationEmail: 'oncall@example.com',
      notificationSubscriptions: [{ protocol: sns.SubscriptionProtocol.HTTPS, endpoint: 'https://pager.example.com/hook' }],
    });
    const stacks = [pilot.primaryStack, pilot.secondaryStack, pilot.controlStack].map((stack) => ({
      stack,
      t: Template.fromStack(stack),
      json: Template.fromStack(stack).toJSON() as {
        Resources: Record<string, Resource>;
        Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
      },
    }));
    /**
     * The topic an action names, as [its stack's template, its logical id]: in the same stack, or exported by another of the same region.
     */
    const topicOf = (region: string, action: { Ref?: string; 'Fn::ImportValue'?: string }): [Template, string] | undefined => {
      const own = stacks.find(
        (s) => s.stack.region === region && action.Ref !== undefined && s.json.Resources[action.Ref]?.Type === 'AWS::SNS::Topic',
      );
      if (own) return [own.t, action.Ref!];
      for (const s of stacks.filter((x) => x.stack.region === region)) {
        const output = Object.values(s.json.Outputs ?? {}).find((o) => o.Export?.Name === action['Fn::ImportValue']);
        const ref = (output?.Value as { Ref?: string } | undefined)?.Ref;
        if (ref && s.json.Resources[ref]?.Type === 'AWS::SNS::Topic') return [s.t, ref];
      }
      return undefined;
    };
    const topicsUsed = new Set<string>();
    for (const { stack, json } of stacks) {
      const notifying = Object.entries(json.Resources).flatMap(([id, r]) =>
        r.Type === 'AWS::CloudWatch::Alarm'
          ? [[id, (r.Properties.AlarmActions ?? []) as object[]] as const]
          : r.Type === 'AWS::AutoScaling::AutoScalingGroup'
            ? [[id, ((r.Properties.NotificationConfigurations ?? []) as { TopicARN: object }[]).map((n) => n.TopicARN)] as const]
            : [],
      );
      expect(notifying.length).toBeGreaterThan(0);
      for (const [id, actions] of notifying) {
        expect(actions, `${stack.stackName}/${id}`).toHaveLength(1);
        const found = topicOf(stack.region, actions[0] as { Ref?: string });
        expect(found, `${stack.stackName}/${id} notifies a topic of its own region`).toBeDefined();
        const [t, topicId] = found!;
        topicsUsed.add(`${stack.region}/${topicId}`);
        t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
        t.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: 'oncall@example.com',
          TopicArn: { Ref: topicId },
        });
        t.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'https',
          Endpoint: 'https://pager.example.com/hook',
          TopicArn: { Ref: topicId },
        });
      }
    }
    // One topic per region; its key lets CloudWatch and Auto Scaling's service-linked role use it.
    expect([...topicsUsed].map((t) => t.split('/')[0]).sort()).toEqual(['eu-west-1', 'us-east-1']);
    for (const stack of [pilot.primaryStack, pilot.secondaryStack]) {
      // The region's topic key and its database's key: no other.
      Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 2);
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
            Match.objectLike({
              Sid: 'AutoScalingPublishes',
              Condition: Match.objectLike({
                StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': Match.stringLikeRegexp('^sns\\.') },
              }),
            }),
          ]),
        },
      });
    }
  });

  it('refuses, at synth, a notification email or subscriber endpoint that is not one, naming the prop', () => {
    expect(() => blueprint({ notificationEmail: 'oncall at example.com' })).toThrowError(
      /notificationEmail must be an email address; got "oncall at example.com"/,
    );
    expect(() => blueprint({ notificationSubscriptions: [{ protocol: sns.SubscriptionProtocol.SMS, endpoint: '555-0100' }] })).toThrowError(
      /notificationSubscriptions\[0\]\.endpoint must be a phone number in E\.164 form/,
    );
    expect(() =>
      blueprint({ notificationSubscriptions: [{ protocol: sns.SubscriptionProtocol.HTTP, endpoint: 'http://pager.example.com' }] }),
    ).toThrowError(/notificationSubscriptions\[0\]\.protocol must be one of email, email-json, https, sms, sqs, lambda; got "http"/);
  });

  it("runs the controller outside any VPC, reading the private health record through the reader in the DR VPC's isolated subnets", () => {
    const { pilot } = defaultBlueprint();
    const control = Template.fromStack(pilot.controlStack);
    type Fn = { Properties: { VpcConfig?: { SubnetIds: unknown[] }; Environment: { Variables: Record<string, unknown> } } };
    const [controller] = Object.values(
      control.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Detects a failure') } }),
    ) as Fn[];
    const [reader] = Object.values(
      control.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Resolves a Route 53 health record') },
      }),
    ) as Fn[];
    const readerId = pilot.controlStack.getLogicalId(pilot.primaryHealthCheck.reader.function.node.defaultChild as never);

    expect(controller?.Properties.VpcConfig).toBeUndefined();
    expect(controller?.Properties.Environment.Variables.DR_HEALTH_RECORD_READER).toEqual({ 'Fn::GetAtt': [readerId, 'Arn'] });
    // One subnet per zone, each with no route out of the VPC (isolated): the reader needs only the VPC resolver.
    const dr = Template.fromStack(pilot.secondaryStack);
    const subnets = (reader?.Properties.VpcConfig?.SubnetIds as { 'Fn::ImportValue': string }[]).map(
      (s) => /ExportsOutputRef(\w+?)[0-9A-F]{8}$/.exec(s['Fn::ImportValue'])?.[1],
    );
    expect(subnets).toHaveLength(2);
    const routes = Object.values(dr.findResources('AWS::EC2::Route')) as Resource[];
    for (const subnet of subnets) {
      expect(Object.keys(dr.findResources('AWS::EC2::Subnet'))).toContain(subnet);
      const table = (Object.values(dr.findResources('AWS::EC2::SubnetRouteTableAssociation')) as Resource[]).find(
        (a) => (a.Properties.SubnetId as { Ref: string }).Ref === subnet,
      )?.Properties.RouteTableId as { Ref: string };
      expect(routes.filter((r) => (r.Properties.RouteTableId as { Ref: string }).Ref === table.Ref)).toEqual([]);
    }
  });

  it("checks the primary's health path from Route 53 every 10 s, with the threshold and regions given", () => {
    const { pilot } = blueprint({ route53FailureThreshold: 3, route53CheckerRegions: ['us-east-1', 'us-west-2', 'eu-west-1'] });
    const control = Template.fromStack(pilot.controlStack);

    control.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTP',
        Port: 80,
        ResourcePath: '/ref',
        RequestInterval: 10,
        FailureThreshold: 3,
        Regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      }),
    });
    Template.fromStack(defaultBlueprint().pilot.controlStack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FailureThreshold: 2, Regions: Match.absent() }),
    });
  });

  it('evaluates readiness every 5 minutes in the control stack, with its alarms and a dashboard row', () => {
    const { pilot } = defaultBlueprint();
    const control = Template.fromStack(pilot.controlStack);
    const body = JSON.stringify(
      (Object.values(control.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: unknown }).Properties,
    );

    control.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    control.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'lamp-readiness-controller-heartbeat',
      TreatMissingData: 'breaching',
    });
    expect(body).toContain('Readiness alarms');
    expect(body).toContain('DR/Readiness');
  });

  it('keeps the dark DR region cheap: no NAT gateway, no interface endpoint, its instances in isolated subnets; the primary keeps both', () => {
    const { pilot } = defaultBlueprint();
    const primary = Template.fromStack(pilot.primaryStack);
    const dr = Template.fromStack(pilot.secondaryStack);

    primary.resourceCountIs('AWS::EC2::NatGateway', 1);
    dr.resourceCountIs('AWS::EC2::NatGateway', 0);
    dr.resourceCountIs('AWS::EC2::EIP', 0);
    dr.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    dr.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 2);
    expect(
      Object.keys(primary.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).length,
    ).toBeGreaterThan(0);
    // The DR group's subnets have no route to the internet: isolated, as the database's.
    const group = Object.values(dr.findResources('AWS::AutoScaling::AutoScalingGroup'))[0] as Resource;
    const subnets = (group.Properties.VPCZoneIdentifier as { Ref: string }[]).map((s) => s.Ref);
    expect(subnets).toHaveLength(2);
    const routes = Object.values(dr.findResources('AWS::EC2::Route')) as Resource[];
    for (const subnet of subnets) {
      const table = (Object.values(dr.findResources('AWS::EC2::SubnetRouteTableAssociation')) as Resource[]).find(
        (a) => (a.Properties.SubnetId as { Ref: string }).Ref === subnet,
      )?.Properties.RouteTableId as { Ref: string };
      expect(routes.filter((r) => (r.Properties.RouteTableId as { Ref: string }).Ref === table.Ref)).toEqual([]);
    }
  });

  it("refuses a primary region without NAT, naming the prop: its image builds and the database users' function need egress", () => {
    expect(() => blueprint({ primary: { ...props.primary, natGateways: 0 } })).toThrowError(
      /- primary\.natGateways must be at least 1: the image build and the database users' function in the primary region need egress; got 0/,
    );
  });

  it('gives a DR region that needs egress when it serves the NAT gateway it asks for', () => {
    const { pilot } = blueprint({ secondary: { ...props.secondary, natGateways: 1 } });

    Template.fromStack(pilot.secondaryStack).resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('launches the primary group only once the first image is built, and builds it as the primary stack deploys', () => {
    const { pilot } = defaultBlueprint();
    const primary = Template.fromStack(pilot.primaryStack);
    const [imageId] = Object.keys(primary.findResources('AWS::ImageBuilder::Image'));
    const group = Object.values(primary.findResources('AWS::AutoScaling::AutoScalingGroup'))[0] as Resource & { DependsOn?: string[] };

    expect(imageId).toBeDefined();
    expect(group.DependsOn).toContain(imageId);
  });

  it("scales both groups on CPU with target tracking; the pilot light's stays at 0 until a failover", () => {
    const { pilot } = defaultBlueprint();
    for (const stack of [pilot.primaryStack, pilot.secondaryStack]) {
      Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
          TargetValue: 60,
        },
      });
    }
    Template.fromStack(pilot.secondaryStack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      DesiredCapacity: Match.absent(),
    });
  });

  it('uses two zones per region by default, and refuses zones of another region or a region without a default', () => {
    const { pilot } = blueprint({
      primary: { ...props.primary, availabilityZones: undefined },
      secondary: { ...props.secondary, availabilityZones: undefined },
    });
    expect(pilot.primaryStack.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(pilot.secondaryStack.availabilityZones).toEqual(['us-east-1a', 'us-east-1b']);

    expect(() => blueprint({ primary: { ...props.primary, availabilityZones: ['us-east-1a', 'eu-west-1b'] } })).toThrowError(
      /- primary\.availabilityZones must all be zones of primary\.region eu-west-1; got us-east-1a, eu-west-1b/,
    );
    expect(() => blueprint({ secondary: { ...props.secondary, region: 'us-west-1', availabilityZones: undefined } })).toThrowError(
      /- secondary\.availabilityZones must be named for us-west-1: its zone names differ between accounts, so there is no default/,
    );
    expect(() => blueprint({ secondary: { ...props.secondary, availabilityZones: ['us-east-1a'] } })).toThrowError(
      /- secondary\.availabilityZones must name at least two zones; got 1/,
    );
  });

  it('names every prop that cannot work', () => {
    expect(() =>
      blueprint({
        secondary: { ...props.secondary, region: 'eu-west-1', cidr: '10.0.128.0/17' },
        capacity: { min: 1, desired: 6, max: 4 },
        healthCheckPath: 'ref',
      }),
    ).toThrowError(
      /Lamp: invalid props:\n {2}- secondary\.region must differ from primary\.region \(eu-west-1\)\n {2}- secondary\.cidr 10\.0\.128\.0\/17 overlaps primary\.cidr 10\.0\.0\.0\/16\n {2}- capacity\.desired 6 is above the group's maximum 4\n {2}- healthCheckPath must start with \//,
    );
  });
});

type Resource = { Type: string; Properties: Record<string, unknown> };
type RegionEntry = {
  healthCheckVia?: string;
  route53HealthCheck?: { healthCheckId: string; recordName: string };
  healthCheckUrl: string;
  dbInstanceIdentifier: string;
  dbParameterGroupName: string;
  retiredDbParameterGroupName: string;
  dbKmsKeyArn: string;
  dbSubnetGroupName: string;
  dbSecurityGroupIds: string[];
  dbSettings: Record<string, unknown>;
};

/** The DR config each config stack writes, deploy-time values as placeholders (`<Logical.Attr>`, `<{...ImportValue...}>`). */
function writtenConfigs(pilot: PilotLight): { stack: string; primary: RegionEntry; secondary: RegionEntry }[] {
  return [pilot.controlStack, pilot.primaryConfigStack].map((stack) => {
    const [param] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter')) as Resource[];
    const config = parseJoinedJson(param?.Properties.Value) as { primary: RegionEntry; secondary: RegionEntry };
    return { stack: stack.stackName, ...config };
  });
}

/** The one DB instance of a region's stack, and the resources it references by logical id. */
function deployedDatabase(stack: PilotLight['primaryStack']) {
  const resources = (Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> }).Resources;
  const [instance, ...others] = Object.values(resources).filter((r) => r.Type === 'AWS::RDS::DBInstance');
  expect(others).toEqual([]);
  const props = instance?.Properties ?? {};
  const ref = (value: unknown) => resources[(value as { Ref: string }).Ref]?.Properties ?? {};
  const groups = Object.values(resources)
    .filter((r) => r.Type === 'AWS::RDS::DBParameterGroup')
    .map((r) => r.Properties);
  return { props, resources, parameterGroup: ref(props.DBParameterGroupName), subnetGroup: ref(props.DBSubnetGroupName), groups };
}

type Props = Record<string, unknown>;
/**
 * Where each dbSettings field shows in an AWS::RDS::DBInstance. Typed over every field of
 * DatabaseSettings, so a field the schema gains fails here until the contract covers it.
 */
const CLOUDFORMATION: Record<keyof DatabaseSettings, (p: Props) => unknown> = {
  instanceClass: (p) => p.DBInstanceClass,
  storageType: (p) => p.StorageType,
  // CloudFormation refuses StorageEncrypted beside a source: a cross-region replica is encrypted
  // when given a KMS key, which RDS accepts only for an encrypted source.
  storageEncrypted: (p) => (p.SourceDBInstanceIdentifier === undefined ? p.StorageEncrypted : p.KmsKeyId !== undefined),
  multiAz: (p) => p.MultiAZ,
  backupRetentionDays: (p) => p.BackupRetentionPeriod,
  deletionProtection: (p) => p.DeletionProtection,
  iamAuthentication: (p) => p.EnableIAMDatabaseAuthentication,
  cloudwatchLogsExports: (p) => p.EnableCloudwatchLogsExports,
  copyTagsToSnapshot: (p) => p.CopyTagsToSnapshot,
  autoMinorVersionUpgrade: (p) => p.AutoMinorVersionUpgrade,
  tags: (p) => Object.fromEntries(((p.Tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value])),
};

describe("PilotLight's DR config contract", () => {
  const { pilot } = blueprint({ databaseTags: { team: 'payments' } });
  const regions = [
    { role: 'primary', stack: pilot.primaryStack },
    { role: 'secondary', stack: pilot.secondaryStack },
  ] as const;

  it('gives each database a parameter group of its own, named <id>-params', () => {
    const names = regions.map(({ stack }) => {
      const { props, parameterGroup } = deployedDatabase(stack);
      expect(parameterGroup.DBParameterGroupName).toBe(`${String(props.DBInstanceIdentifier)}-params`);
      return parameterGroup.DBParameterGroupName;
    });

    expect(names).toEqual(['lamp-primary-params', 'lamp-replica-params']);
  });

  it("keeps a retired group in each region, named <id>-retired, with read_only 1 and otherwise the database group's family and parameters", () => {
    for (const { stack } of regions) {
      const { props, parameterGroup, groups } = deployedDatabase(stack);
      const retired = groups.find((g) => g.DBParameterGroupName === `${String(props.DBInstanceIdentifier)}-retired`);

      expect(retired).toMatchObject({
        Family: parameterGroup.Family,
        Parameters: { ...(parameterGroup.Parameters as object), read_only: '1' },
      });
      expect(parameterGroup.Parameters).not.toHaveProperty('read_only');
    }
  });

  it("writes, in both config stacks, dbSettings equal field by field to each region's deployed DB instance", () => {
    for (const config of writtenConfigs(pilot)) {
      for (const { role, stack } of regions) {
        const { props } = deployedDatabase(stack);
        const written = config[role].dbSettings;
        const deployed = Object.fromEntries(Object.entries(CLOUDFORMATION).map(([field, read]) => [field, read(props)]));

        expect({ where: `${config.stack} ${role}`, ...written }).toEqual({ where: `${config.stack} ${role}`, ...deployed });
      }
    }
  });

  it("writes, in both config stacks, the Route 53 health check and record name the control stack deploys, checking the primary's ALB on its health path", () => {
    const control = Template.fromStack(pilot.controlStack).toJSON() as { Resources: Record<string, Resource> };
    const byType = (type: string) => Object.entries(control.Resources).filter(([, r]) => r.Type === type);
    const [[checkId, check] = ['', undefined], ...otherChecks] = byType('AWS::Route53::HealthCheck');
    const records = byType('AWS::Route53::RecordSet').map(([, r]) => r.Properties);
    const [[zoneId, zone] = ['', undefined]] = byType('AWS::Route53::HostedZone');
    const primaryAlb =
      Object.entries((Template.fromStack(pilot.primaryStack).toJSON() as { Resources: Record<string, Resource> }).Resources).find(
        ([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      )?.[0] ?? 'none';
    const drVpc =
      Object.entries((Template.fromStack(pilot.secondaryStack).toJSON() as { Resources: Record<string, Resource> }).Resources).find(
        ([, r]) => r.Type === 'AWS::EC2::VPC',
      )?.[0] ?? 'none';

    expect(otherChecks).toEqual([]);
    expect([checkId, zoneId, primaryAlb, drVpc]).toEqual([
      expect.stringMatching(/^PrimaryHealthHealthCheck/),
      expect.stringMatching(/^PrimaryHealthZone/),
      expect.stringMatching(/^AppLoadBalancer/),
      expect.stringMatching(/^NetworkVpc/),
    ]);
    const config = (check?.Properties.HealthCheckConfig ?? {}) as { FullyQualifiedDomainName: unknown; ResourcePath: string };
    // The check requests the primary's ALB (a cross-region import naming it) on the config's health path.
    expect(JSON.stringify(config.FullyQualifiedDomainName)).toContain(primaryAlb);
    expect(config.ResourcePath).toBe('/ref');
    // The failover pair is in a private zone of the DR region's VPC (an import naming it).
    expect(JSON.stringify((zone?.Properties.VPCs as unknown[] | undefined) ?? [])).toContain(drVpc);
    expect(zone?.Properties.VPCs).toEqual([{ VPCId: expect.anything(), VPCRegion: 'us-east-1' }]);
    expect(records.map((r) => [r.Failover, r.HostedZoneId, r.HealthCheckId])).toEqual(
      expect.arrayContaining([
        ['PRIMARY', { Ref: zoneId }, { 'Fn::GetAtt': [checkId, 'HealthCheckId'] }],
        ['SECONDARY', { Ref: zoneId }, undefined],
      ]),
    );
    for (const written of writtenConfigs(pilot)) {
      const entry = written.primary.route53HealthCheck;
      expect(records.map((r) => r.Name)).toEqual([`${entry?.recordName}.`, `${entry?.recordName}.`]);
      // In the control stack the id is the check's own attribute; in the primary's, an import that names it.
      expect(entry?.healthCheckId).toContain(checkId);
      expect(written.primary.healthCheckUrl).toContain(primaryAlb);
      expect(written.secondary.route53HealthCheck).toBeUndefined();
    }
  });

  it('writes, in both config stacks, the identifier, parameter groups, key, subnet group and security groups each DB instance uses', () => {
    for (const config of writtenConfigs(pilot)) {
      for (const { role, stack } of regions) {
        const { props, parameterGroup, subnetGroup, groups } = deployedDatabase(stack);
        const entry = config[role];
        const logicalId = (value: unknown) => ((value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'] ?? [])[0] ?? 'none';

        expect(entry.dbInstanceIdentifier).toBe(props.DBInstanceIdentifier);
        expect(entry.dbParameterGroupName).toBe(parameterGroup.DBParameterGroupName);
        expect(groups.map((g) => g.DBParameterGroupName)).toContain(entry.retiredDbParameterGroupName);
        expect(entry.dbSubnetGroupName).toBe(subnetGroup.DBSubnetGroupName);
        // Deploy-time values reach the config stacks as imports that name the producing resource.
        expect(entry.dbKmsKeyArn).toContain(logicalId(props.KmsKeyId));
        const securityGroups = props.VPCSecurityGroups as unknown[];
        expect(entry.dbSecurityGroupIds).toHaveLength(securityGroups.length);
        securityGroups.forEach((g, i) => expect(entry.dbSecurityGroupIds[i]).toContain(logicalId(g)));
      }
    }
  });
});

describe("PilotLight's load balancers", () => {
  /** A template's resources by logical id. */
  const resourcesOf = (stack: PilotLight['primaryStack']) =>
    (Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> }).Resources;
  const idOf = (stack: PilotLight['primaryStack'], type: string) =>
    Object.entries(resourcesOf(stack)).find(([, r]) => r.Type === type)?.[0] ?? 'none';
  /** The logical id an imported value names (the export's name carries it). */
  const imported = (value: unknown) => /ExportsOutput(?:Ref|FnGetAtt)(\w+?[0-9A-F]{8})/.exec(JSON.stringify(value))?.[1];

  it("puts the DR region's ALB, internal, in its app subnets, and keeps the primary's internet-facing", () => {
    const { pilot } = defaultBlueprint();
    const dr = Template.fromStack(pilot.secondaryStack);
    const group = Object.values(dr.findResources('AWS::AutoScaling::AutoScalingGroup'))[0] as Resource;

    dr.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: group.Properties.VPCZoneIdentifier,
    });
    Template.fromStack(pilot.primaryStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
  });

  it('lets the reader check the internal DR ALB: its DNS name the one host allowed, HTTP out to it and admitted by it', () => {
    const { pilot } = defaultBlueprint();
    const control = Template.fromStack(pilot.controlStack);
    const readerSg = pilot.controlStack.getLogicalId(pilot.primaryHealthCheck.reader.securityGroup.node.defaultChild as never);
    const [reader] = Object.values(
      control.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Resolves a Route 53 health record') },
      }),
    ) as Resource[];
    const [sg] = Object.values(
      control.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('Reader') } }),
    ) as Resource[];
    const http = (sg?.Properties.SecurityGroupEgress as { FromPort: number; DestinationSecurityGroupId?: unknown }[]).filter(
      (r) => r.FromPort === 80,
    );
    const [ingress, ...moreIngress] = Object.values(control.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[];
    const [alb, albSg] = [
      idOf(pilot.secondaryStack, 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
      Object.entries(resourcesOf(pilot.secondaryStack)).find(
        ([, r]) => r.Type === 'AWS::EC2::SecurityGroup' && String(r.Properties.GroupDescription).includes('load balancer'),
      )?.[0],
    ];

    expect(imported((reader?.Properties.Environment as { Variables: Record<string, unknown> }).Variables.DR_PROBE_HOSTS)).toBe(alb);
    expect(http).toHaveLength(1);
    expect(imported(http[0]?.DestinationSecurityGroupId)).toBe(albSg);
    expect(moreIngress).toEqual([]);
    expect(ingress?.Properties).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      SourceSecurityGroupId: { 'Fn::GetAtt': [readerSg, 'GroupId'] },
    });
    expect(imported(ingress?.Properties.GroupId)).toBe(albSg);
  });

  it("writes the reader's ARN as the DR region's healthCheckVia in both configs, and lets the operators invoke it", () => {
    const { pilot } = defaultBlueprint();
    const readerId = pilot.controlStack.getLogicalId(pilot.primaryHealthCheck.reader.function.node.defaultChild as never);
    const [control, primaryCopy] = writtenConfigs(pilot);

    expect(control?.secondary.healthCheckVia).toBe(`<${readerId}.Arn>`);
    // In the primary region, a cross-region reference that names the reader.
    expect(primaryCopy?.secondary.healthCheckVia).toContain(readerId);
    expect(control?.primary.healthCheckVia).toBeUndefined();
    Template.fromStack(pilot.controlStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'lamp-dr-operator',
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CheckInternalLoadBalancers',
            Action: 'lambda:InvokeFunction',
            Resource: { 'Fn::GetAtt': [readerId, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('keeps an internet-facing DR ALB when asked, checked directly: no healthCheckVia, no HTTP rule for the reader', () => {
    const { pilot } = blueprint({ secondary: { ...props.secondary, internetFacingLoadBalancer: true } });
    const control = Template.fromStack(pilot.controlStack);

    Template.fromStack(pilot.secondaryStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    expect(writtenConfigs(pilot).map((c) => c.secondary.healthCheckVia)).toEqual([undefined, undefined]);
    control.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    control.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Resolves a Route 53 health record'),
      Environment: { Variables: Match.objectLike({ DR_PROBE_HOSTS: Match.absent() }) },
    });
  });

  it('refuses an internal primary ALB at synth, naming the prop', () => {
    expect(() => blueprint({ primary: { ...props.primary, internetFacingLoadBalancer: false } })).toThrowError(
      /primary\.internetFacingLoadBalancer must not be false: Route 53's checkers and the failover controller probe the primary's health path from outside its VPC/,
    );
  });
});

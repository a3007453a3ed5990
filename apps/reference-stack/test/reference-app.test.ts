import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { REFERENCE, buildReferenceApp } from '../src/reference-app.js';

const outdir = mkdtempSync(join(tmpdir(), 'ref-cdk-out-'));
const app = buildReferenceApp(outdir);
const assembly = app.synth();
// Each template named `<stack name>.template.json`: the stacks are children of the PilotLight construct, so
// their files are named after their artifact ids, which derive from their paths.
const fileNames = new Map(assembly.stacks.map((s) => [s.templateFile, `${s.stackName}.template.json`]));
const templates = readdirSync(outdir)
  .filter((f) => f.endsWith('.template.json'))
  .map((f) => ({ name: fileNames.get(f) ?? f, template: JSON.parse(readFileSync(join(outdir, f), 'utf8')) as Record<string, unknown> }));

/** The stack of `app` with CloudFormation name `name`, wherever it sits in the construct tree. */
function stackNamed(app: App, name: string): Stack {
  const stack = app.node.findAll().find((c): c is Stack => Stack.isStack(c) && c.stackName === name);
  if (!stack) throw new Error(`no stack named ${name}`);
  return stack;
}

/** Every [key, string value] pair in a template. */
function strings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

describe('the reference app', () => {
  it('synthesizes its five stacks with no credentials and no network', () => {
    expect(assembly.stacks.map((s) => `${s.stackName}@${s.environment.region}`).sort()).toEqual([
      'Lamp-Control@us-east-1',
      'Lamp-Global@us-west-2',
      'Lamp-Primary@eu-west-1',
      'Lamp-PrimaryConfig@eu-west-1',
      'Lamp-Secondary@us-east-1',
    ]);
    expect(templates).toHaveLength(5);
  });

  it('passes CloudFormation template validation (the validateAgainstDefaultRules flag is on)', () => {
    expect(app.node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
    expect(assembly.stacks.flatMap((s) => s.messages.filter((m) => m.level === 'error'))).toEqual([]);
  });

  it('has no cdk-nag AwsSolutions finding that is not acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '').join(', ')}`)).toEqual([]);
  });

  it('deploys the shipped Lambda bundles for the controller, the snapshot job, the readiness checks and the health record reader', () => {
    const control = templates.find((t) => t.name === 'Lamp-Control.template.json')?.template as {
      Resources: Record<
        string,
        { Type: string; Properties: { Handler?: string; Code?: { S3Key?: unknown; ZipFile?: unknown }; Description?: string } }
      >;
    };
    const functions = Object.values(control.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler',
    );
    expect(functions.map((f) => f.Properties.Description?.split(' ')[0]).sort()).toEqual(['Checks', 'Daily', 'Detects', 'Resolves']);
    for (const fn of functions) {
      expect(fn.Properties.Code?.ZipFile).toBeUndefined();
      const hash = String(fn.Properties.Code?.S3Key).replace(/\.zip$/, '');
      const bundle = readFileSync(join(outdir, `asset.${hash}`, 'index.mjs'), 'utf8');
      // The reader bundles no AWS SDK (it only resolves a name): about 10 KB; the others carry the SDK.
      expect(bundle.length).toBeGreaterThan(fn.Properties.Description?.startsWith('Resolves') ? 5_000 : 100_000);
    }
  });

  it('detects with tuned target health in both regions, a Route 53 check of the primary read through a reader in the DR VPC, and readiness alarms', () => {
    const stack = (name: string) => Template.fromStack(stackNamed(app, name));
    for (const name of ['Lamp-Primary', 'Lamp-Secondary']) {
      stack(name).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/ref',
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 4,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      });
    }
    const control = stack('Lamp-Control');

    control.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTP', ResourcePath: '/ref', RequestInterval: 10, FailureThreshold: 2 }),
    });
    control.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'health.dr.internal.',
      VPCs: [Match.objectLike({ VPCRegion: 'us-east-1' })],
    });
    control.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'lamp-primary.health.dr.internal.',
      Failover: 'PRIMARY',
      ResourceRecords: ['192.0.2.1'],
      HealthCheckId: Match.anyValue(),
    });
    control.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'lamp-primary.health.dr.internal.',
      Failover: 'SECONDARY',
      ResourceRecords: ['192.0.2.2'],
      HealthCheckId: Match.absent(),
    });
    // The controller runs outside any VPC; the reader it invokes runs in the DR VPC.
    control.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Detects a failure'),
      VpcConfig: Match.absent(),
      Environment: { Variables: Match.objectLike({ DR_HEALTH_RECORD_READER: Match.anyValue() }) },
    });
    control.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Resolves a Route 53 health record'),
      VpcConfig: Match.anyValue(),
    });
    expect(Object.keys(control.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'DR/Readiness' } }))).toHaveLength(11);
    for (const group of Object.values(stack('Lamp-Global').findResources('AWS::GlobalAccelerator::EndpointGroup')) as {
      Properties: Record<string, unknown>;
    }[]) {
      expect(group.Properties.HealthCheckIntervalSeconds).toBeUndefined();
    }
  });

  it('holds no secret in plain text in any template', () => {
    const suspicious = templates.flatMap(({ name, template }) =>
      strings(template)
        // SecretStringTemplate holds the secret's fixed fields (the user name); the password is generated by Secrets Manager.
        .filter(([key]) => /password|secret(?!sManager)/i.test(key) && key !== 'SecretStringTemplate')
        .filter(([, value]) => !value.startsWith('{{resolve:') && !/^arn:/.test(value))
        .map(([key, value]) => `${name}: ${key}=${value}`),
    );

    expect(suspicious).toEqual([]);
  });

  it("uses the brief's defaults: regions, CIDRs, names, capacities and /ref", () => {
    const primary = templates.find((t) => t.name.startsWith('Lamp-Primary.'))?.template;
    const text = JSON.stringify(primary);

    for (const expected of ['10.0.0.0/16', 'primary-asg', 'lamp-primary', 'lampdb', '/ref']) expect(text).toContain(expected);
    expect(JSON.stringify(templates.find((t) => t.name.startsWith('Lamp-Secondary.'))?.template)).toContain('10.1.0.0/16');
  });

  it('gives each database a parameter group of its own and each region a group for retired instances, with read_only 1', () => {
    for (const [stack, id] of [
      ['Lamp-Primary', REFERENCE.primary.dbInstanceIdentifier],
      ['Lamp-Secondary', REFERENCE.secondary.dbInstanceIdentifier],
    ] as const) {
      const template = Template.fromStack(stackNamed(app, stack));
      const [own] = Object.keys(
        template.findResources('AWS::RDS::DBParameterGroup', { Properties: { DBParameterGroupName: `${id}-params` } }),
      );

      template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: id, DBParameterGroupName: { Ref: own } });
      template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        DBParameterGroupName: `${id}-params`,
        Parameters: Match.objectLike({ read_only: Match.absent() }),
      });
      template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        DBParameterGroupName: `${id}-retired`,
        Parameters: Match.objectLike({ read_only: '1' }),
      });
    }
  });

  it('names the buckets after the brief, made unique with the account id, so the names are free', () => {
    const bucketNames = (a: typeof app, stack: string) =>
      Object.values(Template.fromStack(stackNamed(a, stack)).findResources('AWS::S3::Bucket'))
        .map((b) => (b as { Properties: { BucketName?: string } }).Properties.BucketName)
        .filter((n) => n !== undefined);

    expect(bucketNames(app, 'Lamp-Primary')).toEqual([`primary-lamp-bucket-2023-${REFERENCE.account}`]);
    expect(bucketNames(app, 'Lamp-Secondary')).toEqual([`secondary-lamp-bucket-2023-${REFERENCE.account}`]);
  });

  it('takes other bucket names from the CDK context', () => {
    const other = buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-cdk-out-')), {
      primaryBucketName: 'acme-lamp-eu',
      secondaryBucketName: 'acme-lamp-us',
    });
    const secondary = Template.fromStack(stackNamed(other, 'Lamp-Secondary'));

    secondary.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'acme-lamp-us',
      ReplicationConfiguration: Match.objectLike({
        Rules: [
          Match.objectLike({
            Destination: Match.objectLike({ Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-lamp-eu']] } }),
          }),
        ],
      }),
    });
  });

  it('takes the serving region from the activeRegion context, for redeploys after a failover', () => {
    const other = buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-cdk-out-')), { activeRegion: 'us-east-1' });

    Template.fromStack(stackNamed(other, 'Lamp-Global')).hasResourceProperties('Custom::EndpointGroups', {
      ServingRegion: 'us-east-1',
    });
  });

  it('ships a traffic guard whose inlined decision, as built, refuses to move users back after a failover', () => {
    const global = Template.fromStack(stackNamed(app, 'Lamp-Global'));
    const [fn] = Object.values(
      global.findResources('AWS::Lambda::Function', {
        Properties: { Code: { ZipFile: Match.stringLikeRegexp('ListEndpointGroupsCommand') } },
      }),
    ) as { Properties: { Code: { ZipFile: string } } }[];
    const module = { exports: {} as { verdict?: (region: string, groups: unknown[]) => { ok: boolean; reason: string } } };
    runInNewContext(fn?.Properties.Code.ZipFile ?? '', { require: () => ({}), exports: module.exports, module });

    const live = [
      { region: 'eu-west-1', trafficDial: 0, weights: [0] },
      { region: 'us-east-1', trafficDial: 100, weights: [128] },
    ];
    expect(module.exports.verdict?.('eu-west-1', live)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/live traffic goes to us-east-1/),
    });
    expect(module.exports.verdict?.('us-east-1', live).ok).toBe(true);
  });

  it("serves HTTPS when both regions' certificates are given in the context", () => {
    const other = buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-cdk-out-')), {
      primaryCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/eu',
      secondaryCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/us',
    });

    Template.fromStack(stackNamed(other, 'Lamp-Primary')).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
    });
    Template.fromStack(stackNamed(other, 'Lamp-Global')).hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      PortRanges: [
        { FromPort: 80, ToPort: 80 },
        { FromPort: 443, ToPort: 443 },
      ],
    });
  });

  /** The SNS topic an action names, as `<stack>/<logical id>`: in the same template, or exported by a stack of the same region. */
  function topicOf(
    names: readonly { name: string; template: Record<string, unknown> }[],
    region: (name: string) => string,
    stackName: string,
    action: unknown,
  ): string {
    const own = names.find((t) => t.name === stackName)!;
    const resources = (t: { template: Record<string, unknown> }) =>
      (t.template as { Resources: Record<string, { Type: string }> }).Resources;
    const ref = (action as { Ref?: string }).Ref;
    if (ref !== undefined) return resources(own)[ref]?.Type === 'AWS::SNS::Topic' ? `${stackName}/${ref}` : `not a topic: ${ref}`;
    const imported = (action as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
    for (const t of names.filter((x) => region(x.name) === region(stackName))) {
      const outputs = (t.template as { Outputs?: Record<string, { Value: { Ref?: string }; Export?: { Name: string } }> }).Outputs ?? {};
      const out = Object.values(outputs).find((o) => o.Export?.Name === imported);
      if (out?.Value.Ref && resources(t)[out.Value.Ref]?.Type === 'AWS::SNS::Topic') return `${t.name}/${out.Value.Ref}`;
    }
    return `unknown action ${JSON.stringify(action)}`;
  }

  it("notifies every alarm of every template to an SNS topic of the alarm's own region", () => {
    const regionOf = Object.fromEntries(assembly.stacks.map((s) => [`${s.stackName}.template.json`, s.environment.region]));
    const region = (name: string) => regionOf[name] ?? 'unknown';
    const actions = templates.flatMap(({ name, template }) =>
      Object.entries((template as { Resources: Record<string, { Type: string; Properties: { AlarmActions?: unknown[] } }> }).Resources)
        .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
        .map(([id, r]) => ({
          alarm: `${name}/${id}`,
          region: region(name),
          topics: (r.Properties.AlarmActions ?? []).map((a) => topicOf(templates, region, name, a)),
        })),
    );

    expect(actions.length).toBeGreaterThanOrEqual(18);
    for (const { alarm, region: own, topics } of actions) {
      expect(topics, alarm).toHaveLength(1);
      expect(topics[0], alarm).toMatch(/\.template\.json\/.*Topic/);
      expect(region(topics[0]!.split('/')[0]!), alarm).toBe(own);
    }
  });

  it('subscribes the notificationEmail context value to the alarms and news of both regions, and refuses one that is not an address', () => {
    const other = buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-cdk-out-')), { notificationEmail: 'ops@example.com' });

    // Each region's one topic, in its regional stack: the alarms of that region (the DR ones in
    // Lamp-Control, through an export) notify it.
    for (const name of ['Lamp-Primary', 'Lamp-Secondary']) {
      const t = Template.fromStack(stackNamed(other, name));
      const [topic, ...more] = Object.keys(t.findResources('AWS::SNS::Topic'));
      expect(more).toEqual([]);
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topic } });
    }
    expect(() => buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-cdk-out-')), { notificationEmail: 'ops.example.com' })).toThrowError(
      /notificationEmail must be an email address; got "ops\.example\.com"/,
    );
  });

  it('leaves ECR registry replication off unless the context turns it on', () => {
    const on = buildReferenceApp(mkdtempSync(join(tmpdir(), 'ref-cdk-out-')), { replicateContainerRegistry: 'true' });

    Template.fromStack(stackNamed(app, 'Lamp-Primary')).resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
    Template.fromStack(stackNamed(on, 'Lamp-Primary')).resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
  });
});

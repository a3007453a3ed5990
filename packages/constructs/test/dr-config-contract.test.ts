import { App, type Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { DataTier, PilotLight, type PilotLightProps } from '../src/index.js';

/**
 * The contract between the templates and the engine: every name and ARN the DR config written by
 * `PilotLight` carries resolves to a resource of the synthesized templates, in the region the
 * engine calls it in, with the properties the engine relies on. A deploy-time value is followed to
 * the resource that makes it, across stacks and regions (CloudFormation exports, and CDK's
 * cross-region references: a writer custom resource in the producer's stack, a reader in the
 * consumer's).
 */

const code = lambda.Code.fromInline('export const handler = async () => {};');
const props: PilotLightProps = {
  app: 'lamp',
  account: '123456789012',
  primary: {
    region: 'eu-west-1',
    cidr: '10.0.0.0/16',
    bucketName: 'primary-lamp-bucket-2023',
    autoScalingGroupName: 'primary-asg',
    dbInstanceIdentifier: 'lamp-primary',
  },
  secondary: {
    region: 'us-east-1',
    cidr: '10.1.0.0/16',
    bucketName: 'secondary-lamp-bucket-2023',
    autoScalingGroupName: 'secondary-asg',
    dbInstanceIdentifier: 'lamp-replica',
  },
  controllerCode: code,
  snapshotCode: code,
  readinessCode: code,
};

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }> };
interface Deployed {
  readonly name: string;
  readonly region: string;
  readonly template: Template;
}
/** A deploy-time value, followed to its origin: a resource's `Ref` or one of its attributes. */
interface Origin {
  readonly stack: Deployed;
  readonly id: string;
  readonly resource: Resource;
  /** `Ref`, or the attribute's name. */
  readonly attribute: string;
}

function synthesize(overrides: Partial<PilotLightProps> = {}): { pilot: PilotLight; stacks: Deployed[] } {
  const app = new App();
  const pilot = new PilotLight(app, 'Lamp', { ...props, ...overrides });
  const assembly = app.synth();
  const stacks = [pilot.primaryStack, pilot.secondaryStack, pilot.globalStack, pilot.controlStack, pilot.primaryConfigStack].map(
    (s: Stack) => ({
      name: s.stackName,
      region: s.region,
      template: assembly.getStackByName(s.stackName).template as Template,
    }),
  );
  return { pilot, stacks };
}

/** Follows a value of `stack`'s template to the resource that makes it. */
function origin(stacks: readonly Deployed[], stack: Deployed, value: unknown): Origin {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::ImportValue'?: string };
  if (v.Ref) return { stack, id: v.Ref, resource: resourceOf(stack, v.Ref), attribute: 'Ref' };
  if (v['Fn::ImportValue']) {
    const name = v['Fn::ImportValue'];
    const producer = stacks.find((s) => Object.values(s.template.Outputs ?? {}).some((o) => o.Export?.Name === name));
    const output = Object.values(producer?.template.Outputs ?? {}).find((o) => o.Export?.Name === name);
    if (!producer || !output) throw new Error(`no stack exports ${name}`);
    expect(producer.region, `${name} is imported in ${stack.region}`).toBe(stack.region);
    return origin(stacks, producer, output.Value);
  }
  const [id, attribute] = v['Fn::GetAtt'] ?? ['', ''];
  const resource = resourceOf(stack, id);
  if (resource.Type === 'Custom::CrossRegionExportReader') {
    for (const producer of stacks) {
      for (const writer of Object.values(producer.template.Resources).filter((r) => r.Type === 'Custom::CrossRegionExportWriter')) {
        const written = (writer.Properties.WriterProps as { region: string; exports: Record<string, unknown> }).exports[attribute];
        if (written !== undefined) return origin(stacks, producer, written);
      }
    }
    throw new Error(`no stack writes ${attribute}`);
  }
  return { stack, id, resource, attribute };
}

function resourceOf(stack: Deployed, id: string): Resource {
  const resource = stack.template.Resources[id];
  if (!resource) throw new Error(`${stack.name} has no resource ${id}`);
  return resource;
}

/** The DR config a config stack writes, each deploy-time value as its origin. */
function writtenConfig(stacks: readonly Deployed[], stack: Deployed): Record<string, unknown> {
  const [parameter] = Object.values(stack.template.Resources).filter(
    (r) => r.Type === 'AWS::SSM::Parameter' && r.Properties.Name === '/dr/lamp/config',
  );
  const value = parameter?.Properties.Value as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
  const origins: Origin[] = [];
  const text = value['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : `@@${origins.push(origin(stacks, stack, part)) - 1}@@`))
    .join('');
  const revive = (x: unknown): unknown => {
    if (typeof x === 'string') {
      const whole = /^@@(\d+)@@$/.exec(x);
      if (whole) return origins[Number(whole[1])];
      return x.includes('@@')
        ? { template: x.replace(/@@(\d+)@@/g, '{}'), parts: [...x.matchAll(/@@(\d+)@@/g)].map((m) => origins[Number(m[1])]) }
        : x;
    }
    if (Array.isArray(x)) return x.map(revive);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, revive(y)]));
    return x;
  };
  return revive(JSON.parse(text)) as Record<string, unknown>;
}

const isOrigin = (x: unknown): x is Origin => typeof x === 'object' && x !== null && 'resource' in x && 'attribute' in x;
function expectOrigin(value: unknown, type: string, attribute: string, region: string): Origin {
  expect(isOrigin(value), `${JSON.stringify(value)} is a deploy-time value`).toBe(true);
  const o = value as Origin;
  expect({ type: o.resource.Type, attribute: o.attribute, region: o.stack.region }).toEqual({ type, attribute, region });
  return o;
}
const sameResource = (a: unknown, b: Origin) => isOrigin(a) && a.stack.name === b.stack.name && a.id === b.id;

for (const shape of [
  { name: 'the primary serving', overrides: {} },
  { name: 'the DR region serving (activeRegion after a failover)', overrides: { activeRegion: 'us-east-1' } },
]) {
  describe(`the DR config against the templates, with ${shape.name}`, () => {
    const { stacks } = synthesize(shape.overrides);
    const configs = stacks
      .filter((s) => s.name.endsWith('-Control') || s.name.endsWith('-PrimaryConfig'))
      .map((s) => ({ stack: s, config: writtenConfig(stacks, s) }));
    const serving = shape.overrides.activeRegion ?? 'eu-west-1';

    it('is written in both regions, and the same in both', () => {
      expect(configs.map((c) => c.stack.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
      const [a, b] = configs.map((c) =>
        JSON.stringify(c.config, (_k, v: unknown) => (isOrigin(v) ? `${v.stack.name}/${v.id}.${v.attribute}` : v)),
      );
      expect(a).toBe(b);
    });

    for (const role of ['primary', 'secondary'] as const) {
      it(`names the ${role} region's group, its target group, load balancer, health URL, bucket and availability alarm as deployed there`, () => {
        for (const { config } of configs) {
          const entry = config[role] as Record<string, unknown> & { region: string; capacity: { max: number } };
          const regionStacks = stacks.filter((s) => s.region === entry.region);
          const groups = regionStacks.flatMap((s) =>
            Object.values(s.template.Resources).filter(
              (r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup' && r.Properties.AutoScalingGroupName === entry.autoScalingGroupName,
            ),
          );
          expect(groups).toHaveLength(1);
          const group = groups[0]!;
          expect(Number(group.Properties.MaxSize)).toBe(entry.capacity.max);
          // The pilot light waits at 0; the serving region keeps its minimum. No deploy writes desired.
          expect(Number(group.Properties.MinSize)).toBe(entry.region === serving ? (entry.capacity as unknown as { min: number }).min : 0);
          expect(group.Properties.DesiredCapacity).toBeUndefined();

          const targetGroup = expectOrigin(entry.targetGroupArn, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Ref', entry.region);
          expect(group.Properties.TargetGroupARNs).toEqual([{ Ref: targetGroup.id }]);
          expect(targetGroup.resource.Properties).toMatchObject({ HealthCheckPath: config.healthPath, HealthCheckIntervalSeconds: 5 });

          const loadBalancer = expectOrigin(entry.loadBalancerArn, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Ref', entry.region);
          const listeners = Object.values(loadBalancer.stack.template.Resources).filter(
            (r) =>
              r.Type === 'AWS::ElasticLoadBalancingV2::Listener' &&
              (r.Properties.LoadBalancerArn as { Ref: string }).Ref === loadBalancer.id,
          );
          expect(JSON.stringify(listeners.map((l) => l.Properties.DefaultActions))).toContain(targetGroup.id);

          const url = entry.healthCheckUrl as { template: string; parts: Origin[] };
          expect(url.template).toBe(`http://{}${String(config.healthPath)}`);
          expect(url.parts[0]?.attribute).toBe('DNSName');
          expect(sameResource(url.parts[0], loadBalancer)).toBe(true);
          // An internal load balancer (the DR region's) is checked through a function in its VPC, in its region.
          if (loadBalancer.resource.Properties.Scheme === 'internal') {
            const via = expectOrigin(entry.healthCheckVia, 'AWS::Lambda::Function', 'Arn', entry.region);
            expect(JSON.stringify(via.resource.Properties.VpcConfig)).toContain('SubnetIds');
            expect(JSON.stringify((via.resource.Properties.Environment as { Variables: unknown }).Variables)).toContain(loadBalancer.id);
          } else expect(entry.healthCheckVia).toBeUndefined();
          expect(loadBalancer.resource.Properties.Scheme).toBe(role === 'primary' ? 'internet-facing' : 'internal');

          expect(
            regionStacks
              .flatMap((s) => Object.values(s.template.Resources))
              .filter((r) => r.Type === 'AWS::S3::Bucket' && r.Properties.BucketName === entry.bucketName),
          ).toHaveLength(1);

          // The detector reads the alarm through its region's CloudWatch: it must be in that region,
          // over that region's load balancer and target group.
          const alarms = regionStacks
            .flatMap((s) => Object.values(s.template.Resources))
            .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === entry.availabilityAlarmName);
          expect(alarms).toHaveLength(1);
          const dimensions = JSON.stringify(alarms[0]!.Properties.Metrics);
          expect(dimensions).toContain('"LoadBalancer"');
          expect(dimensions).toContain('"TargetGroup"');
        }
      });

      it(`names the ${role} region's endpoint group, made on its load balancer with the weight and dial the template gives it`, () => {
        for (const { config } of configs) {
          const entry = config[role] as Record<string, unknown> & { region: string };
          // The groups are one custom resource (GlobalEntryPoint): it creates each region's group with
          // the serving region at weight 128 and dial 100 and the pilot light at 0 and 0, and its
          // updates never write a weight or dial, so these properties are the groups as created.
          const groups = expectOrigin(entry.endpointGroupArn, 'Custom::EndpointGroups', `EndpointGroupArn.${entry.region}`, 'us-west-2');
          const p = groups.resource.Properties as {
            ServingRegion: string;
            ListenerArn: unknown;
            Endpoints: { Region: string; EndpointId: unknown }[];
          };
          expect(p.ServingRegion).toBe(serving);
          const here = p.Endpoints.filter((e) => e.Region === entry.region);
          expect(here).toHaveLength(1);
          expect(sameResource(origin(stacks, groups.stack, here[0]!.EndpointId), entry.loadBalancerArn as Origin)).toBe(true);
          const listener = expectOrigin(
            (config.globalAccelerator as { listenerArn: unknown }).listenerArn,
            'AWS::GlobalAccelerator::Listener',
            'ListenerArn',
            'us-west-2',
          );
          expect(p.ListenerArn).toEqual({ 'Fn::GetAtt': [listener.id, 'ListenerArn'] });
        }
      });
    }

    it('names the accelerator its listener belongs to', () => {
      for (const { config } of configs) {
        const ga = config.globalAccelerator as { acceleratorArn: unknown; listenerArn: unknown };
        const accelerator = expectOrigin(ga.acceleratorArn, 'AWS::GlobalAccelerator::Accelerator', 'AcceleratorArn', 'us-west-2');
        const listener = expectOrigin(ga.listenerArn, 'AWS::GlobalAccelerator::Listener', 'ListenerArn', 'us-west-2');
        expect(listener.resource.Properties.AcceleratorArn).toEqual({ 'Fn::GetAtt': [accelerator.id, 'AcceleratorArn'] });
      }
    });

    it('names the state table the controller and dr share, keyed as the engine writes it, and the topic they publish to, in the DR region', () => {
      for (const { config } of configs) {
        const controller = config.controller as { stateTableName: string; topicArn: unknown };
        const tables = stacks
          .filter((s) => s.region === 'us-east-1')
          .flatMap((s) => Object.values(s.template.Resources))
          .filter((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === controller.stateTableName);
        expect(tables).toHaveLength(1);
        expect(tables[0]!.Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
        expectOrigin(controller.topicArn, 'AWS::SNS::Topic', 'Ref', 'us-east-1');
      }
    });

    it('names each database and the parameter group attached to it, in its region', () => {
      for (const { config } of configs) {
        for (const r of ['primary', 'secondary'] as const) {
          const entry = config[r] as { region: string; dbInstanceIdentifier: string; dbParameterGroupName: string };
          const [stack] = stacks.filter(
            (s) => s.region === entry.region && Object.values(s.template.Resources).some((x) => x.Type === 'AWS::RDS::DBInstance'),
          );
          const instance = Object.values(stack!.template.Resources).find(
            (x) => x.Type === 'AWS::RDS::DBInstance' && x.Properties.DBInstanceIdentifier === entry.dbInstanceIdentifier,
          );
          expect(instance).toBeDefined();
          const attached = origin(stacks, stack!, instance!.Properties.DBParameterGroupName);
          expect(attached.resource.Properties.DBParameterGroupName).toBe(entry.dbParameterGroupName);
        }
      }
    });
  });
}

describe('the DR config against the templates, on the aurora-global data tier', () => {
  // The config is parsed (parseConfig, with the tier's cross-field rules) when PilotLight writes it: synthesis is that check.
  const { stacks } = synthesize({
    primary: { ...props.primary, dbInstanceIdentifier: 'lamp-primary-1', dbClusterIdentifier: 'lamp-primary' },
    secondary: { ...props.secondary, dbInstanceIdentifier: 'lamp-secondary-1', dbClusterIdentifier: 'lamp-secondary' },
    dataTier: DataTier.auroraGlobal({ engineVersion: '8.0.mysql_aurora.3.08.0' }),
  });
  const configs = stacks
    .filter((s) => s.name.endsWith('-Control') || s.name.endsWith('-PrimaryConfig'))
    .map((s) => ({ stack: s, config: writtenConfig(stacks, s) }));
  const resources = (region: string, type: string) =>
    stacks
      .filter((s) => s.region === region)
      .flatMap((s) =>
        Object.entries(s.template.Resources)
          .filter(([, r]) => r.Type === type)
          .map(([id, r]) => ({ stack: s, id, r })),
      );

  it('names the tier, the global database and its engine version, the same in both regions, and the global database exists in the primary region', () => {
    expect(configs.map((c) => c.stack.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    for (const { config } of configs) {
      expect(config.database).toEqual({
        tier: 'aurora-global',
        globalClusterIdentifier: 'lamp-global',
        engineVersion: '8.0.mysql_aurora.3.08.0',
      });
      const globals = resources('eu-west-1', 'AWS::RDS::GlobalCluster');
      expect(globals.map((g) => g.r.Properties.GlobalClusterIdentifier)).toEqual(['lamp-global']);
    }
  });

  for (const role of ['primary', 'secondary'] as const) {
    it(`names the ${role} region's cluster, its own cluster parameter group, its one instance and that instance's group and the region's key, as deployed there`, () => {
      for (const { config } of configs) {
        const entry = config[role] as Record<string, unknown> & {
          region: string;
          dbClusterIdentifier: string;
          dbInstanceIdentifier: string;
        };
        const clusters = resources(entry.region, 'AWS::RDS::DBCluster').filter(
          (c) => c.r.Properties.DBClusterIdentifier === entry.dbClusterIdentifier,
        );
        expect(clusters).toHaveLength(1);
        const cluster = clusters[0]!;
        const clusterGroup = origin(stacks, cluster.stack, cluster.r.Properties.DBClusterParameterGroupName);
        expect(clusterGroup.resource.Type).toBe('AWS::RDS::DBClusterParameterGroup');
        expect(clusterGroup.resource.Properties.DBClusterParameterGroupName).toBe(entry.dbClusterParameterGroupName);
        // The fence is the engine's: never declared, so a redeploy cannot lift it.
        expect(clusterGroup.resource.Properties.Parameters).not.toHaveProperty('read_only');
        const instances = resources(entry.region, 'AWS::RDS::DBInstance');
        expect(instances.map((i) => i.r.Properties.DBInstanceIdentifier)).toEqual([entry.dbInstanceIdentifier]);
        const member = origin(stacks, instances[0]!.stack, instances[0]!.r.Properties.DBClusterIdentifier);
        expect(member.id).toBe(cluster.id);
        const instanceGroup = origin(stacks, instances[0]!.stack, instances[0]!.r.Properties.DBParameterGroupName);
        expect(instanceGroup.resource.Properties.DBParameterGroupName).toBe(entry.dbParameterGroupName);
        const key = expectOrigin(entry.dbKmsKeyArn, 'AWS::KMS::Key', 'Arn', entry.region);
        expect(sameResource(origin(stacks, cluster.stack, cluster.r.Properties.KmsKeyId), key)).toBe(true);
        expect(entry).not.toHaveProperty('retiredDbParameterGroupName');
      }
    });
  }

  it('joins the DR cluster to the global database the config names', () => {
    const [secondary] = resources('us-east-1', 'AWS::RDS::DBCluster');
    expect(secondary!.r.Properties.GlobalClusterIdentifier).toBe('lamp-global');
    expect(secondary!.r.Properties).not.toHaveProperty('MasterUsername');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A general check over a cloud assembly, read as a first deploy into a fresh account (bootstrapped,
 * nothing else): every value a resource needs from outside its own properties (an SSM parameter,
 * a machine image behind one, a CloudFormation export) must be made by something deployed before
 * it. "Before" is an earlier stack in the assembly's dependency order (what `cdk deploy --all`
 * follows), or a resource of the same stack that the consumer depends on (`DependsOn`, `Ref`,
 * `Fn::GetAtt`, `Fn::Sub`), since CloudFormation creates independent resources in parallel.
 */

/** A CloudFormation template, as much of it as the check reads. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }>;
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Outputs?: Record<string, { Export?: { Name?: unknown } }>;
}

/** One stack of the assembly. */
export interface AssemblyStack {
  readonly name: string;
  readonly region: string;
  /** Stacks that `cdk deploy --all` deploys before this one (direct dependencies). */
  readonly dependencies: readonly string[];
  readonly template: Template;
}

/** A value a resource needs that nothing deployed before it makes. */
export interface UnmetDependency {
  readonly stack: string;
  readonly resource: string;
  /** `ssm:<name>`, `export:<name>` (in the stack's region). */
  readonly value: string;
  readonly reason: string;
}

/** Reads the stacks of a cloud assembly directory (`cdk.out`). */
export function readAssembly(dir: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<
      string,
      { type: string; environment?: string; dependencies?: string[]; properties?: { templateFile?: string; stackName?: string } }
    >;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  // Stacks are named by their CloudFormation name: nested in a construct, their artifact ids derive from their paths.
  const nameOf = new Map(stacks.map(([id, a]) => [id, a.properties?.stackName ?? id]));
  return stacks.map(([id, a]) => ({
    name: nameOf.get(id)!,
    region: /^aws:\/\/[^/]+\/(.+)$/.exec(a.environment ?? '')?.[1] ?? 'unknown',
    dependencies: (a.dependencies ?? []).flatMap((d) => (nameOf.has(d) ? [nameOf.get(d)!] : [])),
    template: JSON.parse(readFileSync(join(dir, a.properties?.templateFile ?? `${id}.template.json`), 'utf8')) as Template,
  }));
}

/**
 * Parameters that exist in a fresh account before the first deploy: AWS's public parameters, and
 * the version parameter `cdk bootstrap` writes.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
function existsBeforeAnyDeploy(parameter: string): boolean {
  return parameter.startsWith('/aws/service/') || /^\/cdk-bootstrap\/[^/]+\/version$/.test(parameter);
}

/** A value made by a resource, in a region. */
interface Produced {
  readonly stack: string;
  readonly resource: string;
  readonly region: string;
  readonly value: string;
}

/** Every resource id a value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub). */
function references(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) references(v, into);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') into.add(v);
      else if (key === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]!);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}/g)) into.add(m[1]!);
        if (Array.isArray(v)) references(v[1], into);
      } else references(v, into);
    }
  }
  return into;
}

/** Every string in a value, with intrinsic functions left as they are. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** What each resource of a stack makes: SSM parameters (its own, a cross-region writer's, an image build's) and exports. */
function produced(stack: AssemblyStack): Produced[] {
  const out: Produced[] = [];
  const { Resources } = stack.template;
  for (const [id, r] of Object.entries(Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::SSM::Parameter' && typeof p.Name === 'string')
      out.push({ stack: stack.name, resource: id, region: stack.region, value: `ssm:${p.Name}` });
    // CDK's cross-region references: the producer's writer puts each value in an SSM parameter
    // of the consumer's region, which the consumer reads with a dynamic reference.
    if (r.Type === 'Custom::CrossRegionExportWriter') {
      const writer = p.WriterProps as { region?: string; exports?: Record<string, unknown> } | undefined;
      for (const name of Object.keys(writer?.exports ?? {}))
        out.push({ stack: stack.name, resource: id, region: writer?.region ?? stack.region, value: `ssm:${name}` });
    }
    // An image build writes the distribution's parameters, in each region it distributes to,
    // before it completes ("The image distribution creates the Parameter if it doesn't already
    // exist. Otherwise, it updates the parameter").
    // https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SsmParameterConfiguration.html
    if (r.Type === 'AWS::ImageBuilder::Image') {
      const [distributionId] = [...references(p.DistributionConfigurationArn)];
      const distributions = (Resources[distributionId ?? '']?.Properties?.Distributions ?? []) as {
        Region?: string;
        SsmParameterConfigurations?: { ParameterName?: string }[];
      }[];
      for (const d of distributions) {
        for (const c of d.SsmParameterConfigurations ?? [])
          out.push({ stack: stack.name, resource: id, region: d.Region ?? stack.region, value: `ssm:${c.ParameterName}` });
      }
    }
  }
  for (const output of Object.values(stack.template.Outputs ?? {})) {
    if (typeof output.Export?.Name === 'string')
      out.push({ stack: stack.name, resource: '(output)', region: stack.region, value: `export:${output.Export.Name}` });
  }
  return out;
}

/** The resources a resource depends on, directly and through others, in its template. */
function resourceDependencies(template: Template): Map<string, Set<string>> {
  const direct = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const deps = references(r.Properties);
    for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
    direct.set(id, new Set([...deps].filter((d) => d in template.Resources)));
  }
  const closure = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = closure.get(id);
    if (known) return known;
    const all = new Set<string>();
    closure.set(id, all);
    for (const d of direct.get(id) ?? []) {
      all.add(d);
      for (const x of visit(d)) all.add(x);
    }
    return all;
  };
  for (const id of direct.keys()) visit(id);
  return closure;
}

/** The stacks deployed before each stack (its dependencies, transitively). */
function stacksBefore(stacks: readonly AssemblyStack[]): Map<string, Set<string>> {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const before = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = before.get(name);
    if (known) return known;
    const all = new Set<string>();
    before.set(name, all);
    for (const d of byName.get(name)?.dependencies ?? []) {
      all.add(d);
      for (const x of visit(d)) all.add(x);
    }
    return all;
  };
  for (const s of stacks) visit(s.name);
  return before;
}

/** What a resource needs: parameters it resolves at deploy or launch time, exports it imports. */
function needs(stack: AssemblyStack, id: string): { value: string; atLaunch: boolean }[] {
  const { Resources } = stack.template;
  const r = Resources[id]!;
  const out: { value: string; atLaunch: boolean }[] = [];
  for (const s of strings(r.Properties)) {
    // A dynamic reference: resolved by CloudFormation when it provisions the resource.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html
    for (const m of s.matchAll(/\{\{resolve:ssm:([^}:]+)(?::\d+)?\}\}/g)) out.push({ value: `ssm:${m[1]}`, atLaunch: false });
  }
  for (const ref of references(r.Properties)) {
    const parameter = stack.template.Parameters?.[ref];
    if (parameter?.Type.startsWith('AWS::SSM::Parameter::Value') && typeof parameter.Default === 'string')
      out.push({ value: `ssm:${parameter.Default}`, atLaunch: false });
  }
  for (const v of JSON.stringify(r.Properties ?? {}).matchAll(/"Fn::ImportValue":"([^"]+)"/g))
    out.push({ value: `export:${v[1]}`, atLaunch: false });
  // "You must create a Systems Manager parameter before you can use it in a launch template".
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html
  if (r.Type === 'AWS::EC2::LaunchTemplate') {
    const data = ((r.Properties ?? {}).LaunchTemplateData ?? {}) as { ImageId?: unknown };
    if (typeof data.ImageId === 'string' && data.ImageId.startsWith('resolve:ssm:'))
      out.push({ value: `ssm:${data.ImageId.slice('resolve:ssm:'.length)}`, atLaunch: false });
  }
  // A group launches from its launch template's image: `resolve:ssm:` in ImageId is read by EC2
  // at each launch, and a group with a minimum (or desired) capacity launches as it is created.
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html#use-an-ssm-parameter-instead-of-an-ami-id
  if (r.Type === 'AWS::AutoScaling::AutoScalingGroup') {
    for (const template of references((r.Properties ?? {}).LaunchTemplate)) {
      const data = (Resources[template]?.Properties?.LaunchTemplateData ?? {}) as { ImageId?: unknown };
      if (typeof data.ImageId === 'string' && data.ImageId.startsWith('resolve:ssm:'))
        out.push({ value: `ssm:${data.ImageId.slice('resolve:ssm:'.length)}`, atLaunch: true });
    }
  }
  return out;
}

/** Every value some resource of the assembly needs before anything deployed earlier has made it. */
export function unmetDependencies(stacks: readonly AssemblyStack[]): UnmetDependency[] {
  const made = stacks.flatMap(produced);
  const before = stacksBefore(stacks);
  const problems: UnmetDependency[] = [];
  for (const stack of stacks) {
    const inStack = resourceDependencies(stack.template);
    for (const id of Object.keys(stack.template.Resources)) {
      for (const need of needs(stack, id)) {
        const parameter = need.value.startsWith('ssm:') ? need.value.slice(4) : undefined;
        if (parameter !== undefined && existsBeforeAnyDeploy(parameter)) continue;
        const makers = made.filter((p) => p.value === need.value && p.region === stack.region);
        const earlier = makers.some(
          (p) => before.get(stack.name)?.has(p.stack) || (p.stack === stack.name && inStack.get(id)?.has(p.resource)),
        );
        if (earlier) continue;
        problems.push({
          stack: stack.name,
          resource: id,
          value: need.value,
          reason:
            makers.length === 0
              ? `nothing in the assembly makes ${need.value} in ${stack.region}`
              : `made by ${makers.map((p) => `${p.stack}/${p.resource}`).join(', ')}, which is not deployed before ${need.atLaunch ? 'this group launches' : 'this resource'}`,
        });
      }
    }
  }
  return problems;
}

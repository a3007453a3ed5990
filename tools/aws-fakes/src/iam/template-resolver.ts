import { PARTITION, type ResourceContext, TYPES, type TypeModel, fakeUuid } from './cfn-resource-types.js';
import type { PolicyDocument } from './policy-evaluator.js';

/** A CloudFormation template as CDK synthesizes it (JSON). */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>>;
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** One stack of a synthesized app: its name, where it deploys, its template. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  readonly template: CfnTemplate;
}

/** A resource found in the app, with the stack it is in. */
export interface FoundResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
  /** Its construct path (`aws:cdk:path` metadata), when CDK recorded one. */
  readonly path: string | undefined;
}

/** Type-specific names that are properties (Ref gives them). */
const PSEUDO = [
  'AWS::Partition',
  'AWS::Region',
  'AWS::AccountId',
  'AWS::URLSuffix',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::NoValue',
] as const;

/** Marks an `AWS::NoValue` to drop from lists and objects. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves the CloudFormation intrinsics of a synthesized CDK app to the physical names and
 * ARNs a fake world uses, as CloudFormation would at deploy time: `Ref` (resources, parameters
 * with defaults, pseudo parameters), `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`,
 * `Fn::Split`, `Fn::FindInMap`, `Fn::ImportValue` (same-region exports), and the cross-region
 * references CDK makes with `crossRegionReferences: true` (an export writer custom resource in
 * the producing stack, a reader's `Fn::GetAtt` in the consuming one). A name a resource is
 * given is its name; what AWS would generate (a key id, a topic without a name, an ALB's suffix)
 * is a fake id derived from the stack and logical id, so it is the same on every synthesis.
 * Anything it cannot resolve throws, naming the stack, the resource and the intrinsic.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
 */
export class TemplateResolver {
  private readonly stacks: ReadonlyMap<string, SynthesizedStack>;

  constructor(stacks: readonly SynthesizedStack[]) {
    this.stacks = new Map(stacks.map((s) => [s.stackName, s]));
  }

  private stack(name: string): SynthesizedStack {
    const stack = this.stacks.get(name);
    if (!stack) throw new Error(`no stack ${name} (stacks: ${[...this.stacks.keys()].join(', ')})`);
    return stack;
  }

  /** Every resource of the app that `test` accepts. */
  find(test: (found: FoundResource) => boolean): FoundResource[] {
    return [...this.stacks.values()].flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {})
        .map(([logicalId, resource]) => ({
          stackName: stack.stackName,
          logicalId,
          resource,
          path: resource.Metadata?.['aws:cdk:path'] as string | undefined,
        }))
        .filter(test),
    );
  }

  /** The one resource whose construct path is `path` (`Lamp-Control/Controller/Role/Resource`); throws when there is none. */
  byPath(path: string): FoundResource {
    const [found] = this.find((r) => r.path === path);
    if (!found) throw new Error(`no resource at construct path ${path}`);
    return found;
  }

  /** `value` with every intrinsic resolved, as it would be in stack `stackName`. */
  resolve(stackName: string, value: unknown): unknown {
    const out = this.walk(this.stack(stackName), value, `${stackName}`);
    return out === NO_VALUE ? undefined : out;
  }

  /** What `Ref` of a resource gives. */
  ref(stackName: string, logicalId: string): string {
    return this.refIn(this.stack(stackName), logicalId, `${stackName}/${logicalId}`);
  }

  /**
   * The identity-based policies of a role, as IAM would hold them: its inline `Policies`, every
   * `AWS::IAM::Policy` of the app attached to it, and every customer managed policy in its
   * `ManagedPolicyArns`, all resolved. AWS managed policies are refused (their documents are
   * not in the templates).
   */
  rolePolicies(stackName: string, roleLogicalId: string): PolicyDocument[] {
    const stack = this.stack(stackName);
    const role = stack.template.Resources?.[roleLogicalId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${stackName}/${roleLogicalId} is not an AWS::IAM::Role`);
    const roleName = this.ref(stackName, roleLogicalId);
    const props = role.Properties ?? {};
    const inline = ((props.Policies ?? []) as { PolicyDocument: unknown }[]).map(
      (p) => this.resolve(stackName, p.PolicyDocument) as PolicyDocument,
    );
    const attached = this.find(
      (r) =>
        r.resource.Type === 'AWS::IAM::Policy' &&
        (this.resolve(r.stackName, r.resource.Properties?.Roles ?? []) as string[]).includes(roleName),
    );
    const managedArns = (this.resolve(stackName, props.ManagedPolicyArns ?? []) as string[]) ?? [];
    const managed = managedArns.map((policyArn) => {
      const [found] = this.find((r) => r.resource.Type === 'AWS::IAM::ManagedPolicy' && this.ref(r.stackName, r.logicalId) === policyArn);
      if (!found) throw new Error(`${stackName}/${roleLogicalId} has managed policy ${policyArn}, whose document is not in the app`);
      return this.resolve(found.stackName, found.resource.Properties?.PolicyDocument) as PolicyDocument;
    });
    return [
      ...inline,
      ...attached.map((r) => this.resolve(r.stackName, r.resource.Properties?.PolicyDocument) as PolicyDocument),
      ...managed,
    ];
  }

  private refIn(stack: SynthesizedStack, name: string, where: string): string {
    switch (name) {
      case 'AWS::Partition':
        return PARTITION;
      case 'AWS::Region':
        return stack.region;
      case 'AWS::AccountId':
        return stack.account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.stackName;
      case 'AWS::StackId':
        return `arn:${PARTITION}:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/${fakeUuid(stack.stackName)}`;
    }
    const parameter = (stack.template as { Parameters?: Record<string, { Default?: unknown }> }).Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) throw new Error(`${where}: parameter ${name} has no default`);
      return String(parameter.Default);
    }
    const resource = stack.template.Resources?.[name];
    if (!resource) throw new Error(`${where}: Ref to ${name}, which is not in ${stack.stackName}`);
    return this.model(stack, name, resource, where).ref(this.context(stack, name, resource, where));
  }

  private getAtt(stack: SynthesizedStack, logicalId: string, attribute: string, where: string): unknown {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) throw new Error(`${where}: Fn::GetAtt of ${logicalId}, which is not in ${stack.stackName}`);
    if (resource.Type === 'Custom::CrossRegionExportReader') return this.crossRegionExport(stack, attribute, where);
    const model = this.model(stack, logicalId, resource, where);
    const named = model.attribute;
    const get = model.attributes?.[attribute] ?? (named ? (r: ResourceContext) => named(r, attribute) ?? unmodelled() : undefined);
    function unmodelled(): never {
      throw new Error(`${where}: Fn::GetAtt ${logicalId}.${attribute} (${resource!.Type}) is not modelled by the template resolver`);
    }
    if (!get) throw new Error(`${where}: Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not modelled by the template resolver`);
    return get(this.context(stack, logicalId, resource, where));
  }

  /** CDK's cross-region reference: the export writer in the producing stack holds the value. */
  private crossRegionExport(consumer: SynthesizedStack, exportName: string, where: string): unknown {
    const writers = this.find((r) => r.resource.Type === 'Custom::CrossRegionExportWriter');
    for (const writer of writers) {
      const props = writer.resource.Properties?.WriterProps as { region?: string; exports?: Record<string, unknown> } | undefined;
      if (props?.exports && exportName in props.exports && props.region === consumer.region)
        return this.resolve(writer.stackName, props.exports[exportName]);
    }
    throw new Error(`${where}: no stack writes the cross-region export ${exportName} for ${consumer.region}`);
  }

  private importValue(consumer: SynthesizedStack, name: string, where: string): unknown {
    for (const stack of this.stacks.values()) {
      if (stack.region !== consumer.region) continue;
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export && this.resolve(stack.stackName, output.Export.Name) === name) return this.resolve(stack.stackName, output.Value);
      }
    }
    throw new Error(`${where}: no stack in ${consumer.region} exports ${name}`);
  }

  private model(stack: SynthesizedStack, logicalId: string, resource: CfnResource, where: string): TypeModel {
    const model = TYPES[resource.Type];
    if (!model)
      throw new Error(
        `${where}: ${stack.stackName}/${logicalId} is a ${resource.Type}, whose Ref and attributes the template resolver does not model (add it to TYPES)`,
      );
    return model;
  }

  private context(stack: SynthesizedStack, logicalId: string, resource: CfnResource, where: string): ResourceContext {
    const props = resource.Properties ?? {};
    return {
      stack,
      logicalId,
      props,
      seed: `${stack.stackName}/${logicalId}`,
      prop: (name) => {
        if (props[name] === undefined) return undefined;
        const value = this.walk(stack, props[name], `${where} → ${logicalId}.${name}`);
        return value === NO_VALUE || value === undefined ? undefined : String(value);
      },
    };
  }

  private walk(stack: SynthesizedStack, value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((v, i) => this.walk(stack, v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      const resolved = this.intrinsic(stack, fn, arg, where);
      if (resolved !== undefined) return resolved.value;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.walk(stack, v, `${where}.${k}`)]).filter(([, v]) => v !== NO_VALUE));
  }

  /** The value of an intrinsic, or undefined when `fn` is not one (a plain one-key object). */
  private intrinsic(stack: SynthesizedStack, fn: string, arg: unknown, where: string): { value: unknown } | undefined {
    const str = (v: unknown) => {
      const out = this.walk(stack, v, where);
      if (typeof out !== 'string' && typeof out !== 'number') throw new Error(`${where}: ${fn} needs a string; got ${JSON.stringify(out)}`);
      return String(out);
    };
    switch (fn) {
      case 'Ref':
        return { value: arg === 'AWS::NoValue' ? NO_VALUE : this.refIn(stack, String(arg), where) };
      case 'Fn::GetAtt': {
        const [id, ...attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return { value: this.getAtt(stack, String(id), attr.join('.'), where) };
      }
      case 'Fn::Join': {
        const [delimiter, parts] = arg as [string, unknown];
        return { value: (this.walk(stack, parts, where) as unknown[]).map(String).join(delimiter) };
      }
      case 'Fn::Select': {
        const [index, items] = arg as [unknown, unknown];
        const list = this.walk(stack, items, where) as unknown[];
        const at = Number(str(index));
        if (!Array.isArray(list) || at >= list.length) throw new Error(`${where}: Fn::Select ${at} out of ${JSON.stringify(list)}`);
        return { value: list[at] };
      }
      case 'Fn::Split': {
        const [delimiter, source] = arg as [string, unknown];
        return { value: str(source).split(delimiter) };
      }
      case 'Fn::Sub': {
        const [template, variables] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
        const vars = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, str(v)]));
        return {
          value: template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
            if (name in vars) return vars[name]!;
            if (name.includes('.') && !PSEUDO.includes(name as (typeof PSEUDO)[number])) {
              const [id, ...attr] = name.split('.');
              return String(this.getAtt(stack, id!, attr.join('.'), where));
            }
            return this.refIn(stack, name, where);
          }),
        };
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map((v) => str(v));
        const found = stack.template.Mappings?.[map!]?.[top!]?.[second!];
        if (found === undefined) throw new Error(`${where}: Fn::FindInMap ${map}/${top}/${second} not found`);
        return { value: this.walk(stack, found, where) };
      }
      case 'Fn::ImportValue':
        return { value: this.importValue(stack, str(arg), where) };
      default:
        if (fn.startsWith('Fn::') || fn === 'Condition') throw new Error(`${where}: ${fn} is not modelled by the template resolver`);
        return undefined;
    }
  }
}

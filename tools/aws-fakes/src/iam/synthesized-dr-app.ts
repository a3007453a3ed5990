import type { FakeIam, FakePrincipal } from './fake-iam.js';
import type { PolicyDocument } from './policy-evaluator.js';
import { TemplateResolver, type SynthesizedStack } from './template-resolver.js';

/** A caller the synthesized app defines: a DR Lambda's role, or the operator's managed policy. */
export interface SynthesizedCaller {
  /** The role's name (for a Lambda) or the managed policy's. */
  readonly name: string;
  readonly principal: FakePrincipal;
}

/**
 * What a fake world takes from a synthesized `PilotLight`: the DR config as the config parameter
 * holds it, each DR Lambda's role and the operator's policy, all resolved to the physical names
 * and ARNs the world uses. Plain JSON, so a test run can synthesize once and hand it to every
 * test file (vitest's `provide` / `inject`).
 */
export interface SynthesizedDrApp {
  /** The DR config (input form) written to the DR region's config parameter. */
  readonly config: Record<string, unknown>;
  /** The config parameter's name. */
  readonly configParameterName: string;
  /** Each DR Lambda's role session, by bundle (`failover-controller`, `snapshot`, `readiness`, ...). */
  readonly lambdas: Readonly<Record<string, SynthesizedCaller>>;
  /** The operator's role with the `dr` managed policy attached (when the app makes one), and only it. */
  readonly operator: SynthesizedCaller | undefined;
  /** The customer managed key of each encrypted SNS topic, by topic ARN. */
  readonly topicKeys: Readonly<Record<string, string>>;
}

/**
 * Reads a synthesized `PilotLight` (`stacks`: every stack of the app, with its region, account
 * and template): the DR config from the config parameter of the stack that runs the controller,
 * each DR Lambda (found by its `POWERTOOLS_SERVICE_NAME`, `dr-<bundle>`) with its role's
 * policies, and the operator policy (the `AWS::IAM::ManagedPolicy` named `<app>-dr-operator`),
 * each resolved by {@link TemplateResolver}.
 */
export function readSynthesizedDrApp(stacks: readonly SynthesizedStack[]): SynthesizedDrApp {
  const resolver = new TemplateResolver(stacks);
  const lambdas: Record<string, SynthesizedCaller> = {};
  let control: SynthesizedStack | undefined;
  for (const fn of resolver.find((r) => r.resource.Type === 'AWS::Lambda::Function')) {
    const variables = (fn.resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const service = resolver.resolve(fn.stackName, variables.POWERTOOLS_SERVICE_NAME);
    if (typeof service !== 'string' || !service.startsWith('dr-')) continue;
    const bundle = service.slice('dr-'.length);
    const roleRef = fn.resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = roleRef?.['Fn::GetAtt']?.[0];
    if (!roleId) throw new Error(`${fn.stackName}/${fn.logicalId} (${service}): its Role is not a Fn::GetAtt of a role in its stack`);
    const stack = stacks.find((s) => s.stackName === fn.stackName)!;
    if (bundle === 'failover-controller') control = stack;
    const roleName = resolver.ref(fn.stackName, roleId);
    const functionName = resolver.ref(fn.stackName, fn.logicalId);
    lambdas[bundle] = {
      name: roleName,
      principal: {
        arn: `arn:aws:sts::${stack.account}:assumed-role/${roleName}/${functionName}`,
        principalArn: `arn:aws:iam::${stack.account}:role/${roleName}`,
        account: stack.account,
        policies: resolver.rolePolicies(fn.stackName, roleId),
      },
    };
  }
  if (!control) throw new Error('no failover controller in the app (a Lambda with POWERTOOLS_SERVICE_NAME dr-failover-controller)');

  const controllerEnv = resolver
    .find((r) => r.stackName === control.stackName && r.resource.Type === 'AWS::Lambda::Function')
    .map((r) => resolver.resolve(r.stackName, r.resource.Properties?.Environment) as { Variables?: Record<string, string> } | undefined);
  const configParameterName = controllerEnv.map((e) => e?.Variables?.DR_CONFIG_PARAMETER).find((n) => n !== undefined);
  const [parameter] = resolver.find(
    (r) =>
      r.stackName === control.stackName &&
      r.resource.Type === 'AWS::SSM::Parameter' &&
      resolver.ref(r.stackName, r.logicalId) === configParameterName,
  );
  if (!parameter) throw new Error(`no SSM parameter ${configParameterName} in ${control.stackName}`);
  const config = JSON.parse(String(resolver.resolve(parameter.stackName, parameter.resource.Properties?.Value))) as Record<string, unknown>;

  const app = String(config.app);
  const [policy] = resolver.find(
    (r) =>
      r.resource.Type === 'AWS::IAM::ManagedPolicy' &&
      resolver.resolve(r.stackName, r.resource.Properties?.ManagedPolicyName) === `${app}-dr-operator`,
  );
  const operator: SynthesizedCaller | undefined = policy && {
    name: `${app}-dr-operator`,
    principal: {
      arn: `arn:aws:sts::${control.account}:assumed-role/${app}-operator/operator`,
      principalArn: `arn:aws:iam::${control.account}:role/${app}-operator`,
      account: control.account,
      policies: [resolver.resolve(policy.stackName, policy.resource.Properties?.PolicyDocument) as PolicyDocument],
    },
  };

  const topicKeys: Record<string, string> = {};
  for (const topic of resolver.find((r) => r.resource.Type === 'AWS::SNS::Topic' && r.resource.Properties?.KmsMasterKeyId !== undefined)) {
    topicKeys[resolver.ref(topic.stackName, topic.logicalId)] = String(
      resolver.resolve(topic.stackName, topic.resource.Properties?.KmsMasterKeyId),
    );
  }
  return { config, configParameterName: String(configParameterName), lambdas, operator, topicKeys };
}

/**
 * Registers every caller of `app` with `iam` (and its topics' keys); returns each caller's credentials env, by bundle name or `operator`.
 */
export function enforceSynthesizedDrApp(iam: FakeIam, app: SynthesizedDrApp): Record<string, Readonly<Record<string, string>>> {
  for (const [topic, key] of Object.entries(app.topicKeys)) iam.topicKeys.set(topic, key);
  const env: Record<string, Readonly<Record<string, string>>> = {};
  for (const [bundle, caller] of Object.entries(app.lambdas))
    env[bundle] = iam.addPrincipal({ ...caller.principal, policies: [...caller.principal.policies] }).env;
  if (app.operator) env.operator = iam.addPrincipal({ ...app.operator.principal, policies: [...app.operator.principal.policies] }).env;
  return env;
}

import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DrConfigParameter } from '../dr-config-parameter.js';
import { bundledCode, type BundledHandler } from './bundled-code.js';
import { acknowledge } from './nag.js';

/**
 * What every DR Lambda starts from: a retained log group and a role of its own that may write
 * only to that group. Made in `scope` as `Logs` and `Role`.
 */
export function lambdaRoleAndLogs(scope: Construct, description: string, retention = logs.RetentionDays.THREE_MONTHS): { role: iam.Role; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  role.addToPolicy(new iam.PolicyStatement({ sid: 'Log', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  return { role, logGroup };
}

/** The namespace the Lambdas' EMF metrics go to (apps/lambdas sets the same). */
const METRICS_NAMESPACE = 'PilotLightDR';

/** What differs between the DR Lambdas. */
export interface DrFunctionOptions {
  /** The shipped bundle used when `code` is not given. */
  readonly bundle: BundledHandler;
  readonly code?: lambda.Code | undefined;
  readonly handler?: string | undefined;
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly configParameter: DrConfigParameter;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly description: string;
  /** Settings besides the app, its config parameter and Powertools'. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * A DR Lambda as `Function` in `scope`: the shipped bundle by default, on nodejs22.x and arm64,
 * told its app, its config parameter and its Powertools service and metrics namespace.
 */
export function drFunction(scope: Construct, options: DrFunctionOptions): lambda.Function {
  const { config, parameter } = options.configParameter;
  const fn = new lambda.Function(scope, 'Function', {
    // nodejs22.x: the newest runtime the bundles are built and tested for (DESIGN.md pins it).
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    code: options.code ?? bundledCode(options.bundle),
    handler: options.handler ?? 'index.handler',
    memorySize: options.memorySize,
    timeout: options.timeout,
    role: options.role,
    logGroup: options.logGroup,
    description: options.description,
    environment: {
      DR_APP: config.app,
      DR_CONFIG_PARAMETER: parameter.parameterName,
      ...options.environment,
      POWERTOOLS_SERVICE_NAME: `dr-${options.bundle}`,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
  });
  acknowledge(fn, ['AwsSolutions-L1'], `nodejs22.x is the newest runtime the ${options.bundle} bundle is built and tested for; it moves with the bundle.`);
  return fn;
}

import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { isConfigError, parseConfig, type DrConfig, type DrConfigInput } from '@dr/failover-core';
import { Construct, type IConstruct } from 'constructs';

/**
 * The DR configuration in SSM, as the constructs that read it see it: the validated config (its
 * resources scope their roles) and the parameter the Lambdas and `dr` read.
 */
export interface IDrConfigParameter extends IConstruct {
  /** The validated config, with defaults filled in. */
  readonly config: DrConfig;
  /** The parameter (its name is given to the Lambdas). */
  readonly parameter: ssm.IStringParameter;
  /** The parameter's name, the same in each region it is deployed to. */
  readonly parameterName: string;
  /** Lets `grantee` read the configuration. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Props of {@link DrConfigParameter}. */
export interface DrConfigParameterProps {
  /** The DR configuration, in `@dr/failover-core`'s schema. Validated at synth time. */
  readonly config: DrConfigInput;
  /** The parameter's name. @default `/dr/<app>/config`, where the Lambdas and the `dr` command look */
  readonly parameterName?: string;
}

/** SSM's limit for a standard parameter; larger configs use the advanced tier. */
const STANDARD_LIMIT = 4_096;

/**
 * The DR configuration written to SSM Parameter Store in one region (deploy one in each), so
 * the failover controller and the `dr` command read the same topology. An invalid config fails
 * synthesis with every bad field named by path.
 */
export class DrConfigParameter extends Construct implements IDrConfigParameter {
  /** The parameter. */
  readonly parameter: ssm.StringParameter;
  /** The validated config, with defaults filled in. */
  readonly config: DrConfig;
  /** The parameter's name, the same in each region it is deployed to (`/dr/<app>/config` by default). */
  readonly parameterName: string;

  constructor(scope: Construct, id: string, props: DrConfigParameterProps) {
    super(scope, id);
    // Fields that hold deploy-time values (an ARN from another stack) are validated with a
    // well-formed stand-in, then written as the real value.
    const tokens = new Map<string, string>();
    const checkable = standIns(props.config, '', tokens);
    let parsed: DrConfig;
    try {
      parsed = parseConfig(checkable, `${this.node.path}: config`);
    } catch (e) {
      if (isConfigError(e)) throw new Error(e.message, { cause: e });
      throw e;
    }
    this.config = restore(parsed, '', tokens) as DrConfig;
    const value = Stack.of(this).toJsonString(this.config);
    this.parameterName = props.parameterName ?? `/dr/${this.config.app}/config`;
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: this.parameterName,
      description: `Pilot-light DR configuration of ${this.config.app}`,
      stringValue: value,
      // Deploy-time values are ARNs of a few hundred characters at most; size the tier for them.
      tier: value.length + tokens.size * 200 > STANDARD_LIMIT ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
    });
  }

  /** Lets `grantee` read the configuration. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.parameter.grantRead(grantee);
  }
}

/** A valid stand-in for a deploy-time value, by the kind of field it fills. */
function standIn(path: string): string {
  if (/url$/i.test(path)) return 'https://deploy-time.invalid/ref';
  if (/arn$/i.test(path)) return 'arn:aws:service:us-east-1:123456789012:deploy-time/value';
  if (/healthcheckid$/i.test(path)) return '00000000-0000-4000-8000-000000000000';
  if (/securitygroupids\[\d+\]$/i.test(path)) return 'sg-0123456789abcdef0';
  return 'deploy-time';
}

function standIns(value: unknown, path: string, tokens: Map<string, string>): unknown {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    tokens.set(path, value);
    return standIn(path);
  }
  if (Array.isArray(value)) return value.map((v, i) => standIns(v, `${path}[${i}]`, tokens));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, standIns(v, path ? `${path}.${k}` : k, tokens)]));
  return value;
}

function restore(value: unknown, path: string, tokens: Map<string, string>): unknown {
  if (tokens.has(path)) return tokens.get(path);
  if (Array.isArray(value)) return value.map((v, i) => restore(v, `${path}[${i}]`, tokens));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v, path ? `${path}.${k}` : k, tokens)]));
  return value;
}

import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { isConfigError, parseConfig, type DrConfig, type DrConfigInput } from '@dr/failover-core';
import { Construct } from 'constructs';

/** Props of {@link DrConfigParameter}. */
export interface DrConfigParameterProps {
  /** The DR configuration, in `@dr/failover-core`'s schema. Validated at synth time. */
  readonly config: DrConfigInput;
  /** @default `/dr/<app>/config`, where the Lambdas and the `dr` command look */
  readonly parameterName?: string;
}

/** SSM's limit for a standard parameter; larger configs use the advanced tier. */
const STANDARD_LIMIT = 4_096;

/**
 * The DR configuration written to SSM Parameter Store in one region (deploy one in each), so
 * the failover controller and the `dr` command read the same topology. An invalid config fails
 * synthesis with every bad field named by path.
 */
export class DrConfigParameter extends Construct {
  /** The parameter. */
  readonly parameter: ssm.StringParameter;
  /** The validated config, with defaults filled in. */
  readonly config: DrConfig;

  constructor(scope: Construct, id: string, props: DrConfigParameterProps) {
    super(scope, id);
    try {
      this.config = parseConfig(props.config, `${this.node.path}: config`);
    } catch (e) {
      if (isConfigError(e)) throw new Error(e.message, { cause: e });
      throw e;
    }
    const value = JSON.stringify(this.config);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.parameterName ?? `/dr/${this.config.app}/config`,
      description: `Pilot-light DR configuration of ${this.config.app}`,
      stringValue: value,
      tier: value.length > STANDARD_LIMIT ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
    });
  }

  /** Lets `grantee` read the configuration. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.parameter.grantRead(grantee);
  }
}

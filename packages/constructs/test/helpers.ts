import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { PilotLightProps } from '../src/index.js';

/** A stack in a concrete account and region, as the reference app's stacks are. */
export function stackIn(region: string, id = 'Test'): Stack {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  return new Stack(app, id, { env: { account: '123456789012', region } });
}

/** Stand-in code for the DR Lambdas, so a blueprint synthesizes without the shipped bundles' assets. */
export const inlineCode = lambda.Code.fromInline('export const handler = async () => {};');

/** The reference app's props (apps/reference-stack), with inline code for the Lambdas. */
export const referenceProps: PilotLightProps = {
  app: 'lamp',
  account: '123456789012',
  primary: {
    region: 'eu-west-1',
    cidr: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    bucketName: 'primary-lamp-bucket-2023',
    autoScalingGroupName: 'primary-asg',
    dbInstanceIdentifier: 'lamp-primary',
  },
  secondary: {
    region: 'us-east-1',
    cidr: '10.1.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    bucketName: 'secondary-lamp-bucket-2023',
    autoScalingGroupName: 'secondary-asg',
    dbInstanceIdentifier: 'lamp-replica',
  },
  controllerCode: inlineCode,
  snapshotCode: inlineCode,
  readinessCode: inlineCode,
};

/**
 * `build`, called once per distinct argument list: for builders whose result the tests only
 * read (a `Template` is a snapshot of the synthesized stack), so each app is synthesized once per file.
 */
export function once<A extends unknown[], R>(build: (...args: A) => R): (...args: A) => R {
  const built = new Map<string, R>();
  return (...args) => {
    const key = JSON.stringify(args);
    if (!built.has(key)) built.set(key, build(...args));
    return built.get(key)!;
  };
}

import { App } from 'aws-cdk-lib';
import { DataTier, PilotLight } from '@dr/constructs';
import { referenceAuroraConfig } from '@dr/failover-core';

/**
 * The brief's defaults: eu-west-1 primary, us-east-1 pilot light, its CIDRs, names and capacities.
 * The brief's bucket names are global and surely taken, so each bucket is named
 * `<brief's name>-<account id>` unless the `primaryBucketName` / `secondaryBucketName` context
 * values name it.
 */
export const REFERENCE = {
  app: 'lamp',
  account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012',
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
  capacity: { min: 2, desired: 2, max: 4 },
  healthCheckPath: '/ref',
  databaseName: 'lampdb',
} as const;

/**
 * The Aurora tier (`-c dataTier=aurora-global`) with the names `referenceAuroraConfig`
 * (`@dr/failover-core`) has: the global database `lamp-global`, clusters `lamp-primary` and
 * `lamp-secondary` with one instance each (`lamp-primary-1`, `lamp-secondary-1`), Aurora MySQL 3.08.0.
 */
function auroraTier() {
  const { database, primary, secondary } = referenceAuroraConfig;
  if (database?.tier !== 'aurora-global') throw new Error('referenceAuroraConfig is not on the aurora-global tier');
  const names = (r: typeof primary) => ({ dbInstanceIdentifier: r.dbInstanceIdentifier, dbClusterIdentifier: r.dbClusterIdentifier });
  return {
    dataTier: DataTier.auroraGlobal({ engineVersion: database.engineVersion, globalClusterIdentifier: database.globalClusterIdentifier }),
    primary: names(primary),
    secondary: names(secondary),
  };
}

/** A string context value (`cdk -c key=value`, or `context` in cdk.json), or undefined. */
function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string; got ${JSON.stringify(value)}`);
  return value;
}

/** A boolean context value: `true` or `'true'` (what `cdk -c key=true` gives); anything else is false. */
function contextFlag(app: App, key: string): boolean {
  const value: unknown = app.node.tryGetContext(key);
  return value === true || value === 'true';
}

/**
 * Builds the reference app: five stacks, synthesizable with no credentials and no network.
 * `context` is merged over the CLI's (tests use it): `primaryBucketName`, `secondaryBucketName`,
 * `activeRegion` (the region that serves; set it to the DR region after a failover), and
 * `primaryCertificateArn` / `secondaryCertificateArn` (ACM certificates for HTTPS; both or neither),
 * `dataTier` (`aurora-global` for the Aurora global database tier; default `rds-replica`),
 * `replicateContainerRegistry` (`true` to turn on the account-wide ECR registry replication), and
 * `notificationEmail` (`-c notificationEmail=ops@example.com`: subscribed to the alarms and the
 * failover news of both regions; an address that is not one fails the synth).
 */
export function buildReferenceApp(outdir?: string, context: Record<string, unknown> = {}): App {
  const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true, ...context } });
  const bucketName = (key: string, brief: string) => contextString(app, key) ?? `${brief}-${REFERENCE.account}`;
  const tier = contextString(app, 'dataTier') ?? 'rds-replica';
  if (tier !== 'rds-replica' && tier !== 'aurora-global')
    throw new Error(`context dataTier must be rds-replica or aurora-global; got ${JSON.stringify(tier)}`);
  const aurora = tier === 'aurora-global' ? auroraTier() : undefined;
  new PilotLight(app, 'Lamp', {
    ...REFERENCE,
    dataTier: aurora?.dataTier,
    primary: {
      ...REFERENCE.primary,
      ...aurora?.primary,
      availabilityZones: [...REFERENCE.primary.availabilityZones],
      bucketName: bucketName('primaryBucketName', REFERENCE.primary.bucketName),
      certificateArn: contextString(app, 'primaryCertificateArn'),
    },
    secondary: {
      ...REFERENCE.secondary,
      ...aurora?.secondary,
      availabilityZones: [...REFERENCE.secondary.availabilityZones],
      bucketName: bucketName('secondaryBucketName', REFERENCE.secondary.bucketName),
      certificateArn: contextString(app, 'secondaryCertificateArn'),
    },
    activeRegion: contextString(app, 'activeRegion'),
    replicateContainerRegistry: contextFlag(app, 'replicateContainerRegistry'),
    notificationEmail: contextString(app, 'notificationEmail'),
  });
  return app;
}

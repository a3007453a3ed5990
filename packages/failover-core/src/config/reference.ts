import type { DrConfigInput } from './schema.js';

const ACCOUNT = '123456789012';

/** What `@dr/constructs` gives both databases (db.t3.small, 20 GiB gp2, 7 days of backups, ...). */
const DB_SETTINGS: NonNullable<DrConfigInput['primary']['dbSettings']> = {
  instanceClass: 'db.t3.small',
  storageType: 'gp2',
  storageEncrypted: true,
  multiAz: false,
  backupRetentionDays: 7,
  deletionProtection: true,
  iamAuthentication: true,
  cloudwatchLogsExports: ['error', 'slowquery'],
  copyTagsToSnapshot: true,
  autoMinorVersionUpgrade: true,
};

/**
 * The reference topology: the original brief's LAMP stack (eu-west-1 primary, us-east-1 pilot
 * light, `lampdb`, desired capacity 2 / 0, `/ref` health path). `dr drill` runs on it by default.
 */
export const referenceConfig: DrConfigInput = {
  schemaVersion: 1,
  app: 'lamp',
  primary: {
    region: 'eu-west-1',
    autoScalingGroupName: 'primary-asg',
    targetGroupArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/primary-tg/0123456789abcdef`,
    loadBalancerArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/primary-alb/0123456789abcdef`,
    dbInstanceIdentifier: 'lamp-primary',
    bucketName: 'primary-lamp-bucket-2023',
    endpointGroupArn: `arn:aws:globalaccelerator::${ACCOUNT}:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh/listener/0123abcd/endpoint-group/eu0123456789`,
    healthCheckUrl: 'http://primary-alb-123456.eu-west-1.elb.amazonaws.com/ref',
    availabilityAlarmName: 'lamp-primary-alb-availability',
    route53HealthCheck: { healthCheckId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', recordName: 'lamp-primary.health.dr.internal' },
    capacity: { min: 2, desired: 2, max: 4 },
    dbParameterGroupName: 'lamp-primary-params',
    retiredDbParameterGroupName: 'lamp-primary-retired',
    dbKmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
    dbSubnetGroupName: 'lamp-primary-subnets',
    dbSecurityGroupIds: ['sg-0123456789abcdef0'],
    dbSettings: DB_SETTINGS,
  },
  secondary: {
    region: 'us-east-1',
    autoScalingGroupName: 'secondary-asg',
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/secondary-tg/0123456789abcdef`,
    loadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/secondary-alb/0123456789abcdef`,
    dbInstanceIdentifier: 'lamp-replica',
    bucketName: 'secondary-lamp-bucket-2023',
    endpointGroupArn: `arn:aws:globalaccelerator::${ACCOUNT}:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh/listener/0123abcd/endpoint-group/us0123456789`,
    healthCheckUrl: 'http://secondary-alb-654321.us-east-1.elb.amazonaws.com/ref',
    availabilityAlarmName: 'lamp-secondary-alb-availability',
    capacity: { min: 2, desired: 2, max: 4 },
    dbParameterGroupName: 'lamp-replica-params',
    retiredDbParameterGroupName: 'lamp-replica-retired',
    dbKmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/66666666-7777-8888-9999-000000000000`,
    dbSubnetGroupName: 'lamp-replica-subnets',
    dbSecurityGroupIds: ['sg-0fedcba9876543210'],
    dbSettings: DB_SETTINGS,
  },
  globalAccelerator: {
    acceleratorArn: `arn:aws:globalaccelerator::${ACCOUNT}:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh`,
    listenerArn: `arn:aws:globalaccelerator::${ACCOUNT}:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh/listener/0123abcd`,
  },
  healthPath: '/ref',
  objectives: { rtoSeconds: 900, maxDataLossSeconds: 60 },
};

/** What `@dr/constructs` gives both clusters of the Aurora tier (one db.r6g.large instance each, 7 days of backups, ...). */
const AURORA_DB_SETTINGS: NonNullable<DrConfigInput['primary']['dbSettings']> = {
  instanceClass: 'db.r6g.large',
  storageEncrypted: true,
  backupRetentionDays: 7,
  deletionProtection: true,
  iamAuthentication: true,
  cloudwatchLogsExports: ['error', 'slowquery'],
  copyTagsToSnapshot: true,
  autoMinorVersionUpgrade: false,
};

/**
 * The reference topology on the Aurora tier: the same regions, compute and traffic as
 * {@link referenceConfig}, with an Aurora MySQL global database (`lamp-global`) whose primary
 * cluster is in eu-west-1 and whose secondary cluster, with one reader, is in us-east-1.
 * `dr drill --tier aurora-global` runs on it.
 */
export const referenceAuroraConfig: DrConfigInput = {
  ...referenceConfig,
  database: { tier: 'aurora-global', globalClusterIdentifier: 'lamp-global', engineVersion: '8.0.mysql_aurora.3.08.0' },
  primary: {
    ...referenceConfig.primary,
    dbInstanceIdentifier: 'lamp-primary-1',
    dbClusterIdentifier: 'lamp-primary',
    dbParameterGroupName: 'lamp-primary-instance-params',
    dbClusterParameterGroupName: 'lamp-primary-cluster-params',
    retiredDbParameterGroupName: undefined,
    dbSettings: AURORA_DB_SETTINGS,
  },
  secondary: {
    ...referenceConfig.secondary,
    dbInstanceIdentifier: 'lamp-secondary-1',
    dbClusterIdentifier: 'lamp-secondary',
    dbParameterGroupName: 'lamp-secondary-instance-params',
    dbClusterParameterGroupName: 'lamp-secondary-cluster-params',
    retiredDbParameterGroupName: undefined,
    dbSettings: AURORA_DB_SETTINGS,
  },
};

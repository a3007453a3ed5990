import { parseConfig, referenceConfig, type DrConfig } from '@dr/failover-core';
import type { CallPolicy } from '../src/index.js';

/** The reference topology with the optional database settings the adapters use. */
export const config: DrConfig = parseConfig({
  ...referenceConfig,
  primary: {
    ...referenceConfig.primary,
    dbParameterGroupName: 'lamp-mysql8',
    dbKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    dbSubnetGroupName: 'lamp-db-eu',
    dbSecurityGroupIds: ['sg-0123456789abcdef0'],
  },
  secondary: {
    ...referenceConfig.secondary,
    dbParameterGroupName: 'lamp-mysql8',
    dbKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000',
    dbSubnetGroupName: 'lamp-db-us',
  },
  controller: { stateTableName: 'lamp-dr-state', topicArn: 'arn:aws:sns:us-east-1:123456789012:lamp-dr' },
});

export const PRIMARY_DB_ARN = 'arn:aws:rds:eu-west-1:123456789012:db:lamp-primary';
export const REPLICA_DB_ARN = 'arn:aws:rds:us-east-1:123456789012:db:lamp-replica';

/** A call policy for tests: short deadline, no real waiting between throttle retries. */
export const fastPolicy = (overrides: Partial<CallPolicy> = {}): CallPolicy => ({
  timeoutMs: 200,
  throttleRetries: 3,
  backoffMs: 1,
  sleep: async () => undefined,
  random: () => 0.5,
  ...overrides,
});

import { parseConfig, referenceConfig, type DrConfig } from '@dr/failover-core';
import type { CallPolicy } from '../src/index.js';

/**
 * The reference topology: each database with its own parameter group (`lamp-primary-params`,
 * `lamp-replica-params`), a retired group per region, KMS keys, subnet and security groups, and
 * the `dbSettings` a new replica is created with.
 */
export const config: DrConfig = parseConfig({
  ...referenceConfig,
  primary: { ...referenceConfig.primary, dbSettings: { ...referenceConfig.primary.dbSettings, tags: { app: 'lamp' } } },
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

// Commands import this module on demand (it pulls in the AWS SDK), so `dr --help` and `dr drill` start fast.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { createAwsPorts, loadConfigFromSsm, RdsSnapshots } from '@dr/aws-adapters';
import { isConfigError, type DrConfig, type Ports } from '@dr/failover-core';
import { endpointOverrides, type AwsFlags } from './aws-options.js';
import { loadConfig } from './config-source.js';
import { UsageError } from './errors.js';

/** The config and live ports a command acts through, and who acts. */
export interface AwsContext {
  readonly config: DrConfig;
  readonly ports: Ports;
  /** RDS snapshots of both regions (status, `dr snapshot`). */
  readonly snapshots: RdsSnapshots;
  /** This command, as the lease records it: `cli:<user>@<host>:<pid>-<nonce>`, so two terminals of one person stay apart. */
  readonly owner: string;
}

/**
 * Reads the config (a file, or SSM by app and region) and builds the AWS ports with the
 * standard credential chain (`AWS_PROFILE` included) and any endpoint overrides.
 * @throws {@link UsageError} when neither a file nor an app is named, or the config is invalid.
 */
export async function awsContext(flags: AwsFlags): Promise<AwsContext> {
  const overrides = endpointOverrides(flags);
  let config: DrConfig;
  if (flags.config !== undefined) config = await loadConfig(flags.config);
  else if (flags.app !== undefined) {
    const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError('no region to read the config from: pass --region or set AWS_REGION');
    try {
      config = await loadConfigFromSsm(flags.app, region, { clientConfig: overrides.ssm ? { endpoint: overrides.ssm } : {} });
    } catch (e) {
      if (isConfigError(e)) throw new UsageError(e.message, { cause: e });
      throw e;
    }
  } else throw new UsageError('name the application (--app NAME, its config read from SSM) or a config file (--config FILE)');
  const ports = createAwsPorts(config, { endpoints: overrides.ports });
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host still tells operators apart.
  }
  const snapshots = new RdsSnapshots({ clientConfig: overrides.ports.rds ? { endpoint: overrides.ports.rds } : {} });
  return { config, ports, snapshots, owner: `cli:${user}@${hostname()}:${process.pid}-${randomUUID().slice(0, 8)}` };
}

import { readFile } from 'node:fs/promises';
import {
  DATA_TIERS,
  isConfigError,
  parseConfig,
  parseConfigJson,
  referenceAuroraConfig,
  referenceConfig,
  type DrConfig,
} from '@dr/failover-core';
import { UsageError } from './errors.js';

/**
 * Loads the DR config from a file, or the built-in reference topology when no file is given.
 * @throws {@link UsageError} naming the file and every bad field.
 */
export async function loadConfig(file: string | undefined, tier?: string): Promise<DrConfig> {
  if (file === undefined) return referenceTopology(tier);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    throw new UsageError(`cannot read config file ${file}: ${why}`, { cause: e });
  }
  try {
    return parseConfigJson(text, `config file ${file}`);
  } catch (e) {
    if (isConfigError(e)) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}

/**
 * The reference topology of the brief on a data tier: the RDS read replica (the default) or an
 * Aurora MySQL global database.
 * @throws {@link UsageError} naming the tiers when `tier` is none of them.
 */
export function referenceTopology(tier = 'rds-replica'): DrConfig {
  if (tier === 'rds-replica') return parseConfig(referenceConfig, 'the reference topology');
  if (tier === 'aurora-global') return parseConfig(referenceAuroraConfig, 'the reference topology on Aurora');
  throw new UsageError(`--tier must be one of ${DATA_TIERS.join(', ')}; got ${JSON.stringify(tier)}`);
}

/** Names the data tier in a drill's heading when it is not the brief's RDS read replica. */
export const tierNote = (config: DrConfig): string =>
  config.database.tier === 'rds-replica' ? '' : ` (${config.database.tier}: ${config.database.globalClusterIdentifier})`;

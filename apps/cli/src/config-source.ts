import { readFile } from 'node:fs/promises';
import { isConfigError, parseConfig, parseConfigJson, referenceConfig, type DrConfig } from '@dr/failover-core';
import { UsageError } from './errors.js';

/**
 * Loads the DR config from a file, or the built-in reference topology when no file is given.
 * @throws {@link UsageError} naming the file and every bad field.
 */
export async function loadConfig(file: string | undefined): Promise<DrConfig> {
  if (file === undefined) return parseConfig(referenceConfig, 'the reference topology');
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

import { stateKeys, type ControlRecord } from '@dr/failover-core';
import type { AwsWorld } from './aws-world.js';

/** The state table's record of the app, and its version (0: none yet). */
export async function record(world: AwsWorld): Promise<{ version: number; value: ControlRecord | undefined }> {
  const stored = await world.ports().stateStore.read<ControlRecord>(stateKeys(world.config.app).control);
  return { version: stored?.version ?? 0, value: stored?.value };
}

/** Writes `value` as the app's record over the version there now, as another writer would. */
export async function store(world: AwsWorld, value: ControlRecord): Promise<void> {
  const { version } = await record(world);
  await world.ports().stateStore.write(stateKeys(world.config.app).control, value, version);
}

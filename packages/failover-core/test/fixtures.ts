import { parseConfig, referenceConfig, type DrConfig, type DrConfigInput } from '../src/index.js';

/** The reference topology, validated. */
export const config: DrConfig = parseConfig(referenceConfig);

/** A deep copy of the reference input, for tests that break it. */
export const referenceInput = (): DrConfigInput & Record<string, unknown> => JSON.parse(JSON.stringify(referenceConfig));

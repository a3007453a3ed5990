import { VersionConflictError } from '../errors.js';
import type { StateStore, Versioned } from '../ports.js';

/**
 * An in-memory {@link StateStore} with the same compare-and-set contract as the DynamoDB one.
 * Values are stored as JSON text, so anything that would not survive DynamoDB (a class, a
 * `Map`, `undefined` in an array) fails here too.
 */
export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, { version: number; json: string }>();
  /** Writes accepted, for tests and benchmarks. */
  writes = 0;

  async read<T>(key: string): Promise<Versioned<T> | undefined> {
    const item = this.items.get(key);
    return item ? { version: item.version, value: JSON.parse(item.json) as T } : undefined;
  }

  async write<T>(key: string, value: T, expectedVersion: number): Promise<number> {
    const current = this.items.get(key)?.version ?? 0;
    if (current !== expectedVersion) throw new VersionConflictError(key, expectedVersion);
    const version = current + 1;
    this.items.set(key, { version, json: JSON.stringify(value) });
    this.writes++;
    return version;
  }
}

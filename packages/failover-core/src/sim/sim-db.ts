/**
 * The records the simulated RDS keeps: instances with their histories (names, associations with
 * parameter groups, reboots, backup retention changes, a promotion, a rename) and parameter
 * groups with the history of their `read_only`. `SimRds` reads them as of any moment.
 */
import type { DbSettings } from '../config/schema.js';
import type { ReadOnlySetting } from '../ports.js';

/** A DB parameter group and the history of its `read_only`. */
export interface SimParameterGroup {
  readonly region: string;
  readonly name: string;
  /** Default groups cannot be modified (AWS refuses). */
  readonly isDefault: boolean;
  readonly initial: ReadOnlySetting;
  readonly changes: { readonly at: number; readonly value: ReadOnlySetting; readonly seq: number }[];
}

/** An instance joining a group: at creation it is in effect at once; a later one only after a reboot. */
export interface Association {
  readonly at: number;
  readonly group: string;
  readonly needsReboot: boolean;
}

/** A replica's promotion: when it was asked for, and when it went modifying, rebooting and writable. */
export interface Promotion {
  readonly requestedAt: number;
  readonly modifyingAt: number;
  readonly rebootingAt: number;
  readonly writableAt: number;
}

/** What an instance was created with (the DR config's `dbSettings`, or RDS's own defaults for a replica). */
export type SimDbSettings = Required<Pick<DbSettings, 'storageEncrypted' | 'copyTagsToSnapshot' | 'tags'>> &
  Omit<DbSettings, 'storageEncrypted' | 'copyTagsToSnapshot' | 'tags'> & { readonly allocatedStorageGiB: number };

/** A simulated RDS instance. */
export interface SimDb {
  readonly key: number;
  readonly region: string;
  readonly names: { readonly id: string; readonly from: number }[];
  readonly baseRole: 'primary' | 'replica';
  readonly sourceKey?: number | undefined;
  readonly createdAt: number;
  readonly availableAt: number;
  readonly settings: SimDbSettings;
  /** Automated backup retention at creation: what CloudFormation deployed, or 0 for a replica RDS created. */
  readonly initialBackupDays: number;
  readonly associations: Association[];
  readonly reboots: { readonly at: number; readonly doneAt: number }[];
  readonly backups: { readonly at: number; readonly doneAt: number; readonly days: number }[];
  /** Catch-up after a new replica turns available: its lag at `availableAt`, falling to normal by `until`. */
  readonly catchUp?: { readonly lagMs: number; readonly until: number } | undefined;
  /** On the Aurora tier: the key of the DB cluster this instance belongs to (see `SimAurora`). */
  readonly clusterKey?: number | undefined;
  promotion?: Promotion | undefined;
  renaming?: { readonly at: number; readonly doneAt: number } | undefined;
}

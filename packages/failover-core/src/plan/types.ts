import type { RegionRole } from '../config/schema.js';
import type { AsgRef, CapacitySetting, DbRef, EndpointGroupRef } from '../ports.js';

/** The operations a plan can be built for. */
export type Operation = 'failover' | 'switchover' | 'failback';

/** What one block does. Kinds starting with `await-` or `verify-` only observe; the rest change the world once. */
export type BlockAction =
  | { readonly kind: 'set-traffic-dial'; readonly group: EndpointGroupRef; readonly percent: number }
  | { readonly kind: 'set-endpoint-weight'; readonly group: EndpointGroupRef; readonly weight: number }
  | { readonly kind: 'set-write-fence'; readonly db: DbRef; readonly fenced: boolean }
  | { readonly kind: 'promote-replica'; readonly db: DbRef }
  | { readonly kind: 'set-capacity'; readonly asg: AsgRef; readonly capacity: CapacitySetting }
  | { readonly kind: 'rename-instance'; readonly db: DbRef; readonly newIdentifier: string }
  | { readonly kind: 'create-replica'; readonly db: DbRef; readonly source: DbRef }
  | { readonly kind: 'await-writable'; readonly db: DbRef }
  | { readonly kind: 'await-healthy'; readonly asg: AsgRef; readonly count: number }
  | { readonly kind: 'await-replica-sync'; readonly db: DbRef; readonly maxLagSeconds: number }
  | { readonly kind: 'verify-serving'; readonly group: EndpointGroupRef; readonly url: string };

/** The kinds of block that change the world. */
export type MutatingKind = Exclude<BlockAction['kind'], `await-${string}` | `verify-${string}`>;

/** The port call each mutating block kind makes; `actions` in a drill report counts these names. */
export const PORT_CALL_OF: Readonly<Record<MutatingKind, string>> = {
  'set-traffic-dial': 'setTrafficDial',
  'set-endpoint-weight': 'setEndpointWeight',
  'set-write-fence': 'setWriteFence',
  'promote-replica': 'promoteReplica',
  'set-capacity': 'setCapacity',
  'rename-instance': 'renameInstance',
  'create-replica': 'createReplica',
};

/** True for blocks that change the world (as opposed to waits and checks). */
export function isMutating(action: BlockAction): action is Extract<BlockAction, { kind: MutatingKind }> {
  return action.kind in PORT_CALL_OF;
}

/** One unit of work, run in parallel with the other blocks of its step. */
export interface PlanBlock {
  /** Unique within the plan, such as `promote-replica`. */
  readonly id: string;
  /** What it does, for people. */
  readonly description: string;
  readonly action: BlockAction;
  /** The block fails when it is not done this long after it started. */
  readonly timeoutSeconds: number;
}

/** Blocks that run in parallel; the next step starts when all are done. */
export interface PlanStep {
  readonly id: string;
  readonly name: string;
  readonly blocks: readonly PlanBlock[];
}

/** A plan: steps in sequence, each step one or more blocks in parallel (the shape of AWS ARC Region switch). */
export interface Plan {
  readonly operation: Operation;
  /** The region that serves traffic before the run. */
  readonly from: RegionRole;
  /** The region that serves traffic after the run. */
  readonly to: RegionRole;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly steps: readonly PlanStep[];
}

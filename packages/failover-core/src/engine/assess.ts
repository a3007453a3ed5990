import type { BlockAction } from '../plan/types.js';
import { assertNever } from '../util/assert-never.js';
import type { Observation } from './types.js';

/** How far a block's goal is, judged from one observation. */
export type Assessment =
  | { readonly progress: 'done'; readonly detail: string }
  | { readonly progress: 'in-progress'; readonly detail: string }
  | { readonly progress: 'not-started'; readonly detail: string }
  | { readonly progress: 'impossible'; readonly detail: string };

const done = (detail: string): Assessment => ({ progress: 'done', detail });
const going = (detail: string): Assessment => ({ progress: 'in-progress', detail });
const notStarted = (detail: string): Assessment => ({ progress: 'not-started', detail });
const impossible = (detail: string): Assessment => ({ progress: 'impossible', detail });

function mismatch(action: BlockAction, observation: Observation): never {
  throw new Error(`observation ${observation.kind} does not fit block ${action.kind}`);
}

/** The observation kind each block kind needs. */
export function observationKindFor(action: BlockAction): Observation['kind'] {
  switch (action.kind) {
    case 'set-traffic-dial':
    case 'set-endpoint-weight':
      return 'endpoint-group';
    case 'set-write-fence':
    case 'promote-replica':
    case 'create-replica':
    case 'await-writable':
    case 'await-replica-sync':
      return 'database';
    case 'rename-instance':
      return 'rename';
    case 'set-capacity':
    case 'await-healthy':
      return 'capacity';
    case 'verify-serving':
      return 'serving';
    default:
      return assertNever(action, 'block action');
  }
}

/**
 * Judges a block's progress from what a port showed. Pure. `since` is when the block began:
 * a measurement older than that does not count. Mutating blocks report `not-started`
 * when the change is not visible; the state machine decides whether that means "act" or "the
 * call is still settling".
 */
export function assess(action: BlockAction, observation: Observation, context: { readonly since?: number | undefined } = {}): Assessment {
  switch (action.kind) {
    case 'set-traffic-dial': {
      if (observation.kind !== 'endpoint-group') return mismatch(action, observation);
      const dial = observation.status.trafficDialPercent;
      return dial === action.percent ? done(`dial at ${dial}%`) : notStarted(`dial at ${dial}%, want ${action.percent}%`);
    }
    case 'set-endpoint-weight': {
      if (observation.kind !== 'endpoint-group') return mismatch(action, observation);
      const weight = observation.status.endpointWeight;
      return weight === action.weight ? done(`weight ${weight}`) : notStarted(`weight ${weight}, want ${action.weight}`);
    }
    case 'set-write-fence': {
      if (observation.kind !== 'database') return mismatch(action, observation);
      const s = observation.status;
      if (!s.exists) return impossible(`${action.db.dbInstanceIdentifier} not found in ${action.db.region}`);
      return s.writeFenced === action.fenced ? done(action.fenced ? 'read-only' : 'writable') : notStarted(`read-only is ${s.writeFenced ? 'on' : 'off'}`);
    }
    case 'promote-replica': {
      if (observation.kind !== 'database') return mismatch(action, observation);
      const s = observation.status;
      if (!s.exists) return impossible(`replica ${action.db.dbInstanceIdentifier} not found in ${action.db.region}`);
      if (s.role === 'primary') return s.status === 'available' ? done('promoted, available') : going(`promoted, ${s.status}`);
      if (s.status === 'available') return notStarted('replica, available');
      if (['modifying', 'rebooting', 'backing-up', 'configuring-log-exports', 'upgrading'].includes(s.status)) return going(`replica, ${s.status}`);
      return impossible(`replica is ${s.status} and cannot be promoted`);
    }
    case 'create-replica': {
      if (observation.kind !== 'database') return mismatch(action, observation);
      const s = observation.status;
      if (!s.exists) return notStarted(`${action.db.dbInstanceIdentifier} does not exist yet`);
      if (s.role !== 'replica') return impossible(`${action.db.dbInstanceIdentifier} exists in ${action.db.region} and is not a replica`);
      return s.status === 'available' ? done('replica available') : going(`replica ${s.status}`);
    }
    case 'rename-instance': {
      if (observation.kind !== 'rename') return mismatch(action, observation);
      if (observation.renamed.exists && !observation.current.exists) return done(`renamed to ${action.newIdentifier}`);
      if (observation.renamed.exists || observation.current.status === 'renaming') return going('rename in progress');
      return observation.current.exists ? notStarted(`${action.db.dbInstanceIdentifier} still has its name`) : done('nothing to retire');
    }
    case 'set-capacity': {
      if (observation.kind !== 'capacity') return mismatch(action, observation);
      const s = observation.status;
      const want = action.capacity;
      return s.min === want.min && s.desired === want.desired && s.max === want.max
        ? done(`desired ${s.desired}, ${s.inService} in service`)
        : notStarted(`min ${s.min} / desired ${s.desired} / max ${s.max}`);
    }
    case 'await-writable': {
      if (observation.kind !== 'database') return mismatch(action, observation);
      const s = observation.status;
      if (!s.exists) return impossible(`${action.db.dbInstanceIdentifier} not found in ${action.db.region}`);
      return s.writable ? done('accepts writes') : going(`${s.role}, ${s.status}${s.writeFenced ? ', read-only' : ''}`);
    }
    case 'await-healthy': {
      if (observation.kind !== 'capacity') return mismatch(action, observation);
      const s = observation.status;
      return s.healthyTargets >= action.count
        ? done(`${s.healthyTargets} healthy`)
        : going(`${s.healthyTargets}/${action.count} healthy, ${s.inService} in service`);
    }
    case 'await-replica-sync': {
      if (observation.kind !== 'database') return mismatch(action, observation);
      const s = observation.status;
      if (!s.exists) return impossible(`${action.db.dbInstanceIdentifier} not found in ${action.db.region}`);
      if (s.role !== 'replica') return impossible(`${action.db.dbInstanceIdentifier} is not a replica`);
      const lag = s.replicaLagSeconds;
      if (s.replicating === false) return going('replication is not running');
      if (lag === undefined) return going('lag unknown');
      // A lag measured before this wait began (before the fence took hold) proves nothing.
      if (s.replicaLagAt !== undefined && context.since !== undefined && s.replicaLagAt < context.since) return going(`lag ${lag}s, measured before the fence`);
      return lag <= action.maxLagSeconds ? done(`lag ${lag}s`) : going(`lag ${lag}s`);
    }
    case 'verify-serving': {
      if (observation.kind !== 'serving') return mismatch(action, observation);
      const { group, probe } = observation;
      if (group.healthy && probe.ok) return done(`healthy, probe ${probe.status ?? 'ok'}`);
      return going(`accelerator ${group.healthy ? 'healthy' : 'not yet healthy'}, probe ${probe.ok ? 'ok' : (probe.error ?? probe.status ?? 'failed')}`);
    }
    default:
      return assertNever(action, 'block action');
  }
}

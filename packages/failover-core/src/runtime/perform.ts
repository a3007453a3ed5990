/**
 * How a runner performs the state machine's commands through the ports: each command becomes at
 * most one event, and a failure becomes a failure event rather than an exception, so the machine
 * decides what a failed look or call means. Observing a block reads what its goal depends on;
 * acting on it makes its one call.
 */
import type { DrConfig } from '../config/schema.js';
import { describeReadings, roundFails, roundSeesHealthy } from '../detector/detector.js';
import { describeError, failureCause, isRetryable, mayHaveLanded } from '../errors.js';
import { findBlock } from '../machine/run-state.js';
import type { Command, Observation, RunEvent, RunState } from '../machine/types.js';
import type { PlanBlock } from '../plan/types.js';
import type { Notification, Ports } from '../ports.js';
import { assertNever } from '../util/assert-never.js';
import { evaluatePreconditions } from './preconditions.js';
import { confirmImpairment, readSignals } from './signals.js';

/** What performing a command needs from the runner that performs it. */
export interface PerformContext {
  readonly ports: Ports;
  readonly config: DrConfig;
  /** Asked when the run needs approval; returns who approved, or undefined to leave it waiting. */
  readonly approve?: ((state: RunState) => Promise<string | undefined>) | undefined;
  /** Whether the lease allows a mutating call now (renewing it if it must); false: make none. */
  readonly leaseForAct: () => Promise<boolean>;
}

/** Performs one command; returns the event it produced, if any. Never throws. */
export async function perform(command: Command, state: RunState, context: PerformContext): Promise<RunEvent | undefined> {
  const { ports } = context;
  const now = () => ports.clock.now();
  switch (command.kind) {
    case 'evaluate-preconditions': {
      const confirm = command.confirmImpairment ? () => confirmImpairment(ports, context.config) : undefined;
      const report = await evaluatePreconditions(state.plan, ports, state.maxDataLossSeconds, { confirmImpairment: confirm });
      return { kind: 'preconditions-evaluated', at: now(), problems: report.problems, replicaLagSeconds: report.replicaLagSeconds };
    }
    case 'request-approval':
      return requestApproval(state, context);
    case 'notify':
      await notifySafely(ports, command.notification);
      return undefined;
    case 'wait':
      await ports.clock.sleep(command.ms);
      return { kind: 'timer-fired', at: now(), blockId: command.blockId, tick: command.tick };
    case 'observe': {
      try {
        const observation = await observeBlock(ports, context.config, blockOf(state, command.blockId));
        return { kind: 'observed', at: now(), blockId: command.blockId, tick: command.tick, observation };
      } catch (e) {
        return {
          kind: 'observe-failed',
          at: now(),
          blockId: command.blockId,
          tick: command.tick,
          error: describeError(e),
          cause: failureCause(e),
        };
      }
    }
    case 'act': {
      if (!(await context.leaseForAct())) return undefined;
      try {
        await actOnBlock(ports, blockOf(state, command.blockId));
        return { kind: 'acted', at: now(), blockId: command.blockId, tick: command.tick };
      } catch (e) {
        return {
          kind: 'act-failed',
          at: now(),
          blockId: command.blockId,
          tick: command.tick,
          error: describeError(e),
          cause: failureCause(e),
          retryable: isRetryable(e),
          landed: mayHaveLanded(e) ? 'unknown' : 'no',
        };
      }
    }
    default:
      return assertNever(command, 'command');
  }
}

/** Tells the operators a run awaits them, then asks the approver (if any) who approves. */
async function requestApproval(state: RunState, context: PerformContext): Promise<RunEvent | undefined> {
  await notifySafely(context.ports, {
    subject: `${state.operation} awaits approval`,
    message: `run ${state.runId} needs an operator's approval within ${Math.round(state.approvalTimeoutSeconds / 60)} min: dr ${state.operation} approves it`,
    severity: 'critical',
    runId: state.runId,
  });
  try {
    const by = await context.approve?.(state);
    return by ? { kind: 'approval-granted', at: context.ports.clock.now(), by } : undefined;
  } catch {
    // No approval came (the prompt failed or was refused): the run stays waiting for one.
    return undefined;
  }
}

function blockOf(state: RunState, blockId: string): PlanBlock {
  const b = findBlock(state, blockId);
  if (!b) throw new Error(`no block ${blockId}`);
  return b;
}

async function notifySafely(ports: Ports, notification: Notification): Promise<void> {
  try {
    await ports.notifier.notify(notification);
  } catch {
    // A lost notification must never stop a failover.
  }
}

/** Reads what a block's goal depends on: the observation `assess` judges it by. */
async function observeBlock(ports: Ports, config: DrConfig, block: PlanBlock): Promise<Observation> {
  const { database, compute, traffic, probe } = ports;
  const a = block.action;
  switch (a.kind) {
    case 'set-traffic-dial':
    case 'set-endpoint-weight':
    case 'await-drain':
      return { kind: 'endpoint-group', status: await traffic.describe(a.group) };
    case 'set-write-fence':
    case 'promote-replica':
    case 'create-replica':
    case 'reboot-instance':
    case 'set-backup-retention':
    case 'await-writable':
    case 'await-replica-sync':
      return { kind: 'database', status: await database.describe(a.db) };
    case 'retire-instance': {
      const [current, renamed] = await Promise.all([
        database.describe(a.db),
        database.describe({ ...a.db, dbInstanceIdentifier: a.newIdentifier }),
      ]);
      return { kind: 'rename', current, renamed };
    }
    case 'set-capacity':
    case 'await-healthy':
      return { kind: 'capacity', status: await compute.describe(a.asg) };
    case 'await-impairment': {
      const round = await readSignals(ports, config);
      const settings = config.detection;
      return {
        kind: 'signals',
        at: round.at,
        fails: roundFails(settings, round),
        seesHealthy: roundSeesHealthy(settings, round),
        readings: describeReadings(round),
      };
    }
    case 'verify-serving': {
      const [group, result] = await Promise.all([traffic.describe(a.group), probe.check({ url: a.url, timeoutMs: 5_000 })]);
      return { kind: 'serving', group, probe: result };
    }
    case 'failover-global-cluster':
    case 'switchover-global-cluster': {
      const [global, db] = await Promise.all([
        ports.globalDatabase.describe(a.globalClusterIdentifier, a.target.region),
        database.describe(a.db),
      ]);
      return { kind: 'global-cluster', global, db };
    }
    case 'await-rejoined': {
      const [global, db] = await Promise.all([
        ports.globalDatabase.describe(a.globalClusterIdentifier, a.cluster.region),
        database.describe(a.db),
      ]);
      return { kind: 'global-cluster', global, db };
    }
    case 'keep-failover-snapshot':
      return { kind: 'failover-snapshot', status: await ports.globalDatabase.failoverSnapshot(a.cluster, a.copyIdentifier) };
    default:
      return assertNever(a, 'block action');
  }
}

/** Makes a block's one call; a block that only observes has none. */
async function actOnBlock(ports: Ports, block: PlanBlock): Promise<void> {
  const { database, compute, traffic } = ports;
  const a = block.action;
  switch (a.kind) {
    case 'set-traffic-dial':
      return traffic.setTrafficDial(a.group, a.percent);
    case 'set-endpoint-weight':
      return traffic.setEndpointWeight(a.group, a.weight);
    case 'set-write-fence':
      return database.setWriteFence(a.db, a.fenced);
    case 'promote-replica':
      return database.promoteReplica(a.db, { backupRetentionDays: a.backupRetentionDays });
    case 'set-capacity':
      return compute.setCapacity(a.asg, a.capacity);
    case 'retire-instance':
      return database.retireInstance(a.db, a.newIdentifier);
    case 'reboot-instance':
      return database.rebootInstance(a.db);
    case 'create-replica':
      return database.createReplica(a.db, a.source);
    case 'set-backup-retention':
      return database.setBackupRetention(a.db, a.days);
    case 'failover-global-cluster':
      return ports.globalDatabase.failover(a.globalClusterIdentifier, a.target);
    case 'switchover-global-cluster':
      return ports.globalDatabase.switchover(a.globalClusterIdentifier, a.target);
    case 'keep-failover-snapshot': {
      const { source } = await ports.globalDatabase.failoverSnapshot(a.cluster, a.copyIdentifier);
      if (!source) return undefined;
      return ports.globalDatabase.keepSnapshot(a.cluster, source.id, a.copyIdentifier);
    }
    case 'await-writable':
    case 'await-healthy':
    case 'await-replica-sync':
    case 'await-drain':
    case 'verify-serving':
    case 'await-impairment':
    case 'await-rejoined':
      throw new Error(`block ${block.id} only observes`);
    default:
      return assertNever(a, 'block action');
  }
}

import type { Plan } from '../plan/types.js';
import type { Ports } from '../ports.js';
import { describeError, isThrottled } from '../errors.js';
import type { PreconditionProblem } from './types.js';

/** What plan evaluation found. */
export interface PreconditionReport {
  readonly problems: readonly PreconditionProblem[];
  /** The target replica's lag, when it could be read: the data a promotion now would lose. */
  readonly replicaLagSeconds?: number | undefined;
}

/**
 * Reads are retried this many times when throttled, backing off from one second up to eight: a
 * throttled read says nothing about the precondition, so it must not refuse a failover.
 */
const READ_ATTEMPTS = 12;

async function attempt<T>(ports: Ports, problems: PreconditionProblem[], what: string, call: () => Promise<T>): Promise<T | undefined> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (isThrottled(e) && i < READ_ATTEMPTS) {
        await ports.clock.sleep(Math.min(8_000, 1_000 * 2 ** (i - 1)));
        continue;
      }
      problems.push({ kind: 'precondition', message: `${what}: ${describeError(e)}` });
      return undefined;
    }
  }
}

/**
 * Evaluates a plan before it starts, as AWS ARC Region switch evaluates its plans: the resources
 * of the target region exist and are in a state the plan can work from, and (the RPO guard) the
 * replica's lag is within `maxDataLossSeconds`. Reads only; the region being left is not required
 * to answer (it may be the one that failed).
 */
export async function evaluatePreconditions(plan: Plan, ports: Ports, maxDataLossSeconds: number): Promise<PreconditionReport> {
  const problems: PreconditionProblem[] = [];
  const blocks = plan.steps.flatMap((s) => s.blocks.map((b) => b.action));
  let replicaLagSeconds: number | undefined;

  const promote = blocks.find((a) => a.kind === 'promote-replica');
  if (promote && plan.operation !== 'failback') {
    const db = await attempt(ports, problems, `replica ${promote.db.dbInstanceIdentifier} in ${promote.db.region}`, () => ports.database.describe(promote.db));
    if (db && !db.exists) {
      problems.push({ kind: 'precondition', message: `replica ${promote.db.dbInstanceIdentifier} was not found in ${promote.db.region}` });
    } else if (db && db.role === 'replica') {
      if (db.status !== 'available') problems.push({ kind: 'precondition', message: `replica ${promote.db.dbInstanceIdentifier} is ${db.status}, not available` });
      replicaLagSeconds = db.replicaLagSeconds;
      if (replicaLagSeconds === undefined) {
        problems.push({ kind: 'rpo', message: `replica lag of ${promote.db.dbInstanceIdentifier} is unknown` });
      } else if (plan.operation === 'failover' && replicaLagSeconds > maxDataLossSeconds) {
        problems.push({
          kind: 'rpo',
          message: `replica lag ${replicaLagSeconds}s exceeds maxDataLossSeconds ${maxDataLossSeconds}s: promoting now would lose up to ${replicaLagSeconds}s of writes`,
        });
      }
    }
  }

  if (plan.operation === 'failback') {
    const create = blocks.find((a) => a.kind === 'create-replica');
    if (create) {
      const source = await attempt(ports, problems, `database ${create.source.dbInstanceIdentifier} in ${create.source.region}`, () => ports.database.describe(create.source));
      if (source && (!source.exists || source.role !== 'primary')) {
        problems.push({
          kind: 'precondition',
          message: `failback needs ${create.source.dbInstanceIdentifier} in ${create.source.region} to be the active primary; it is ${source.exists ? `a ${source.role}` : 'missing'}`,
        });
      }
    }
  }

  for (const action of blocks) {
    if (action.kind !== 'set-capacity' || action.capacity.desired === 0) continue;
    const name = `Auto Scaling group ${action.asg.autoScalingGroupName} in ${action.asg.region}`;
    const asg = await attempt(ports, problems, name, () => ports.compute.describe(action.asg));
    // A group without a launch template would accept the capacity and never launch anything.
    if (asg && !asg.launchTemplate) problems.push({ kind: 'precondition', message: `${name} has no launch template to start instances from` });
  }

  const open = blocks.find((a) => a.kind === 'set-endpoint-weight' && a.weight > 0);
  if (open && open.kind === 'set-endpoint-weight') {
    await attempt(ports, problems, `endpoint group for ${open.group.region}`, () => ports.traffic.describe(open.group));
  }
  return { problems, replicaLagSeconds };
}

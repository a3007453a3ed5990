import { describeError, isThrottled } from '../errors.js';
import type { PreconditionProblem } from '../machine/types.js';
import { actionsOf, blocksOf, type BlockAction, type Plan } from '../plan/types.js';
import type { DbRef, DbStatus, Ports } from '../ports.js';
import { auroraPreconditions } from './preconditions-aurora.js';

/** What plan evaluation found. */
export interface PreconditionReport {
  readonly problems: readonly PreconditionProblem[];
  /** The target replica's lag, when it could be read: the data a promotion now would lose. */
  readonly replicaLagSeconds?: number | undefined;
}

/** Options of {@link evaluatePreconditions}. */
export interface PreconditionOptions {
  /** Re-read the detector's signals: a problem when the impairment that triggered the run is over. */
  readonly confirmImpairment?: (() => Promise<PreconditionProblem | undefined>) | undefined;
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

const first = <K extends BlockAction['kind']>(plan: Plan, kind: K, id?: string): Extract<BlockAction, { kind: K }> | undefined =>
  blocksOf(plan, kind).find((b) => id === undefined || b.id === id)?.action;

const named = (db: DbRef) => `${db.dbInstanceIdentifier} in ${db.region}`;

/**
 * Evaluates a plan before it starts (and again after an approval), as AWS ARC Region switch
 * evaluates its plans: the resources of the target region exist and are in a state the plan can
 * work from, a planned operation's source answers, and (the RPO guard) a failover's replica lag
 * is within `maxDataLossSeconds`. Reads only; a failover's source region is not required to
 * answer (it may be the one that failed).
 */
export async function evaluatePreconditions(
  plan: Plan,
  ports: Ports,
  maxDataLossSeconds: number,
  options: PreconditionOptions = {},
): Promise<PreconditionReport> {
  const problems: PreconditionProblem[] = [];
  let replicaLagSeconds: number | undefined;
  // One look per database: checks that need the same one (a failback's source is fenced and
  // replicated from; a rebuild's target must answer and have something to rebuild) share it.
  const seen = new Map<string, Promise<DbStatus | undefined>>();
  const describe = (db: DbRef): Promise<DbStatus | undefined> => {
    const key = `${db.region}/${db.dbInstanceIdentifier}`;
    let status = seen.get(key);
    if (!status) {
      status = attempt(ports, problems, `database ${named(db)}`, () => ports.database.describe(db));
      seen.set(key, status);
    }
    return status;
  };

  const promote = first(plan, 'promote-replica');
  if (promote && plan.operation !== 'failback') {
    const db = await describe(promote.db);
    if (db && !db.exists) problems.push({ kind: 'precondition', message: `replica ${named(promote.db)} was not found` });
    else if (db && db.role === 'primary')
      problems.push({
        kind: 'precondition',
        message: `${named(promote.db)} is not a replica (it was promoted): rebuild the pilot light first (dr rebuild)`,
      });
    else if (db) {
      if (db.status !== 'available')
        problems.push({ kind: 'precondition', message: `replica ${named(promote.db)} is ${db.status}, not available` });
      replicaLagSeconds = db.replicaLagSeconds;
      if (replicaLagSeconds === undefined) {
        problems.push({ kind: 'rpo', message: `replica lag of ${named(promote.db)} is unknown` });
      } else if (plan.operation === 'failover' && replicaLagSeconds > maxDataLossSeconds) {
        problems.push({
          kind: 'rpo',
          message: `replica lag ${replicaLagSeconds}s exceeds maxDataLossSeconds ${maxDataLossSeconds}s: promoting now would lose up to ${replicaLagSeconds}s of writes`,
        });
      }
      if (plan.operation === 'switchover' && db.replicating === false)
        problems.push({
          kind: 'precondition',
          message: `replica ${named(promote.db)} is not replicating: a switchover must wait for zero lag`,
        });
    }
  }

  // A planned handover fences the source's writes: it must answer.
  const fence = first(plan, 'set-write-fence', 'fence-writes');
  if (fence) {
    const src = await describe(fence.db);
    if (src && (!src.exists || src.role !== 'primary'))
      problems.push({
        kind: 'precondition',
        message: `${named(fence.db)} must be the serving primary; it is ${src.exists ? `a ${src.role}` : 'missing'}`,
      });
  }

  if (plan.operation === 'failback' || plan.operation === 'rebuild') await replicationSource(plan, ports, problems, describe);
  if (plan.operation === 'rebuild') {
    const dark = first(plan, 'create-replica');
    const current = dark && (await describe(dark.db));
    if (current?.exists && current.role === 'replica' && current.replicating !== false && current.status === 'available') {
      problems.push({ kind: 'precondition', message: `nothing to rebuild: ${named(dark!.db)} is a replica and replicates` });
    }
  }

  for (const action of actionsOf(plan, 'set-capacity')) {
    if (action.capacity.desired === 0) continue;
    const name = `Auto Scaling group ${action.asg.autoScalingGroupName} in ${action.asg.region}`;
    const asg = await attempt(ports, problems, name, () => ports.compute.describe(action.asg));
    // A group without a launch template would accept the capacity and never launch anything.
    if (asg && !asg.launchTemplate)
      problems.push({ kind: 'precondition', message: `${name} has no launch template to start instances from` });
  }

  const globalLag = await auroraPreconditions(
    plan,
    ports,
    maxDataLossSeconds,
    problems,
    (what, call) => attempt(ports, problems, what, call),
    describe,
  );
  replicaLagSeconds ??= globalLag;

  const open = first(plan, 'set-endpoint-weight', 'open-weight');
  if (open) await attempt(ports, problems, `endpoint group for ${open.group.region}`, () => ports.traffic.describe(open.group));

  const recovered = await options.confirmImpairment?.();
  if (recovered) problems.push(recovered);
  return { problems, replicaLagSeconds };
}

/** A failback or a rebuild replicates from the serving database: it must be the writable primary. */
async function replicationSource(
  plan: Plan,
  ports: Ports,
  problems: PreconditionProblem[],
  describe: (db: DbRef) => Promise<DbStatus | undefined>,
): Promise<void> {
  const create = first(plan, 'create-replica');
  if (!create) return;
  const source = await describe(create.source);
  if (source && (!source.exists || source.role !== 'primary')) {
    problems.push({
      kind: 'precondition',
      message: `a ${plan.operation} needs ${named(create.source)} to be the serving primary; it is ${source.exists ? `a ${source.role}` : 'missing'}`,
    });
  }
  // The region a replica is created in must answer before anything starts.
  await describe(create.db);
}

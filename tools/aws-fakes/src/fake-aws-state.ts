/* The state FakeAws keeps, beside the RDS state of `fake-rds.ts`. */

/** An Auto Scaling group as the fake keeps it. */
export interface FakeAsg {
  min: number;
  desired: number;
  max: number;
  /** Describes left before each instance is InService. */
  instances: { describesLeft: number }[];
}

/** A manual DB snapshot as the fake keeps it. */
export interface FakeSnapshot {
  region: string;
  id: string;
  dbInstanceIdentifier: string;
  /** Describes left before `available`. */
  describesLeft: number;
  createdAt: Date;
  tags: Record<string, string>;
  kmsKeyId?: string | undefined;
}

/**
 * The regions in an outage, as a `Set` that also remembers when each outage began (by
 * `Date.now()`), so fakes that react to an outage late (Route 53's checkers, in
 * `fake-dns.ts`) can tell how long it has lasted.
 */
export class FakeOutages extends Set<string> {
  private readonly began = new Map<string, number>();

  override add(region: string): this {
    if (!this.has(region)) this.began.set(region, Date.now());
    return super.add(region);
  }

  override delete(region: string): boolean {
    this.began.delete(region);
    return super.delete(region);
  }

  override clear(): void {
    this.began.clear();
    super.clear();
  }

  /** When the region's current outage began (ms since the epoch); undefined when it answers. */
  since(region: string): number | undefined {
    return this.has(region) ? this.began.get(region) : undefined;
  }
}

/** The services FakeAws models, by signing name. */
export type FakeService =
  | 'rds'
  | 'autoscaling'
  | 'elasticloadbalancing'
  | 'monitoring'
  | 'globalaccelerator'
  | 'sns'
  | 'ssm'
  | 'ec2'
  | 'servicequotas'
  | 'cloudformation'
  | 'secretsmanager';

/** A CloudFormation stack as the fake keeps it: its status and its resources (ListStackResources). */
export interface FakeStack {
  name: string;
  status: string;
  resources: { LogicalResourceId: string; PhysicalResourceId?: string; ResourceType: string; ResourceStatus: string }[];
}

/** The {@link FakeAws.calls} kinds that change something (one per mutating call), summed by `FakeAws.mutations()`. */
export const MUTATING_CALLS: readonly string[] = [
  'promoteReplicaAttempts',
  'createReplica',
  'modifyInstance',
  'rebootInstance',
  'setWriteFence',
  'liftWriteFence',
  'setCapacity',
  'setTrafficDial',
  'setEndpointWeight',
  'createSnapshot',
  'copySnapshot',
  'deleteSnapshot',
  'failoverGlobalCluster',
  'switchoverGlobalCluster',
  'copyClusterSnapshot',
];

/**
 * The DB cluster parameter groups of the simulated Aurora global database, and the `read_only` each
 * applies to its cluster's instance. `read_only` is dynamic in an Aurora MySQL cluster parameter group:
 * a change reaches the cluster's instances asynchronously, each showing `applying` until `in-sync`
 * (the same apply delay as a DB parameter group's: UNCONFIRMED, `parameterApplyMs`). A secondary is
 * read-only whatever the group says; the fence counts once its cluster is the writer.
 * Source: Aurora user guide, "Working with DB cluster parameter groups"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithDBClusterParamGroups.html).
 */
import type { ReadOnlySetting } from '../ports.js';
import type { AuroraEnvironment, SimCluster } from './sim-aurora.js';
import type { SimParameterGroup } from './sim-db.js';

/** What a cluster's instance shows of its cluster parameter group at a moment. */
export interface ClusterParameterState {
  readonly group: string;
  /** The group's own `read_only` (what DescribeDBClusterParameters shows). */
  readonly setting: ReadOnlySetting;
  /** The `read_only` in effect on the instance. */
  readonly effective: ReadOnlySetting;
  /** `DBClusterParameterGroupStatus` of the instance: `applying` while a change has not reached it. */
  readonly applyStatus: 'in-sync' | 'applying';
}

/** The cluster parameter groups of a world and their `read_only` over time. */
export class ClusterParameters {
  readonly groups = new Map<string, SimParameterGroup>();

  constructor(private readonly env: AuroraEnvironment) {}

  addGroup(region: string, name: string): SimParameterGroup {
    const key = `${region}:${name}`;
    const group = this.groups.get(key) ?? { region, name, isDefault: false, initial: 'default', changes: [] };
    this.groups.set(key, group);
    return group;
  }

  group(region: string, name: string): SimParameterGroup | undefined {
    return this.groups.get(`${region}:${name}`);
  }

  /** ModifyDBClusterParameterGroup (`read_only` 1) or ResetDBClusterParameterGroup, made at `t`. */
  set(group: SimParameterGroup, value: ReadOnlySetting, t: number): void {
    this.env.rds.setReadOnly(group, value, t);
  }

  /** When `change` reaches `c`'s instance. */
  private appliedAt(c: SimCluster, change: SimParameterGroup['changes'][number]): number {
    return change.at + this.env.draw(`cpg-apply:${c.instance.key}:${change.seq}`, this.env.latency.parameterApplyMs);
  }

  /** The group's `read_only` and what is in effect on `c`'s instance at `t`. */
  at(c: SimCluster, t: number): ClusterParameterState {
    const group = this.group(c.region, c.parameterGroup)!;
    let effective = group.initial;
    let applying = false;
    for (const change of group.changes) {
      if (change.at > t) break;
      if (this.appliedAt(c, change) <= t) effective = change.value;
      else applying = true;
    }
    return { group: group.name, setting: this.env.rds.groupSetting(group, t), effective, applyStatus: applying ? 'applying' : 'in-sync' };
  }

  /** When `read_only` 1 last took effect on `c`'s instance, if it is in effect at `t`. */
  onSince(c: SimCluster, t: number): number | undefined {
    if (this.at(c, t).effective !== 'on') return undefined;
    const group = this.group(c.region, c.parameterGroup)!;
    const moments = group.changes
      .filter((change) => change.at <= t)
      .map((change) => this.appliedAt(c, change))
      .filter((m) => m <= t)
      .sort((a, b) => b - a);
    for (const m of moments) if (this.at(c, m - 1).effective !== 'on') return m;
    return c.instance.createdAt;
  }
}

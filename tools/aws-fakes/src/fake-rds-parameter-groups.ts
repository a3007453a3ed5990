import { awsError } from './errors.js';
import { ENGINE_DEFAULTS, page, type FakeParameterGroup } from './fake-rds-model.js';
import { FakeRdsState } from './fake-rds-state.js';

/**
 * DB parameter groups, resources of their own per region: ModifyDBParameterGroup,
 * ResetDBParameterGroup and DescribeDBParameters, each change reaching every instance running
 * with the group (on the state of `fake-rds-state.ts`).
 */
export class FakeRdsParameterGroups extends FakeRdsState {
  /** A change to `group`'s values reaches every instance running with it. */
  protected propagate(group: FakeParameterGroup, applyMethod: string): void {
    for (const db of this.dbs.filter((d) => d.region === group.region && d.effectiveParameterGroup === group.name)) {
      if (applyMethod === 'pending-reboot') db.pendingRebootChange = true;
      else if (this.knobs.parameterApplyDescribes > 0) db.applyingDescribes = this.knobs.parameterApplyDescribes;
      else db.appliedReadOnly = group.parameters.get('read_only');
    }
  }

  protected modifiable(region: string, name: string | undefined): FakeParameterGroup {
    const group = this.mustGroup(region, String(name ?? ''));
    if (group.isDefault) throw awsError('InvalidParameterValue', 'Cannot modify a default parameter group.');
    return group;
  }

  /**
   * ModifyDBParameterGroup: changes the group, and through it every instance running with it
   * (`applying` for some describes, then `in-sync`). Default groups are refused.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html (dynamic changes reach every instance of the group; a new association waits for a reboot)
   */
  modifyGroup(
    input: { DBParameterGroupName?: string; Parameters?: { ParameterName?: string; ParameterValue?: string; ApplyMethod?: string }[] },
    region: string,
  ): unknown {
    const group = this.modifiable(region, input.DBParameterGroupName);
    const params = input.Parameters ?? [];
    if (params.length === 0 || params.length > 20)
      throw awsError('InvalidParameterValue', 'Between 1 and 20 parameters can be modified in a single request.');
    this.count('setWriteFence');
    for (const p of params) if (p.ParameterName) group.parameters.set(p.ParameterName, String(p.ParameterValue ?? ''));
    this.propagate(group, params.some((p) => p.ApplyMethod === 'pending-reboot') ? 'pending-reboot' : 'immediate');
    return { DBParameterGroupName: group.name };
  }

  /**
   * ResetDBParameterGroup: named parameters (or all) back to the engine default; `read_only`
   * returns to `{TrueIfReplica}`. Dynamic parameters apply as a modification does.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ResetDBParameterGroup.html
   */
  resetGroup(
    input: {
      DBParameterGroupName?: string;
      ResetAllParameters?: boolean | string;
      Parameters?: { ParameterName?: string; ApplyMethod?: string }[];
    },
    region: string,
  ): unknown {
    const group = this.modifiable(region, input.DBParameterGroupName);
    const params = input.Parameters ?? [];
    this.count('liftWriteFence');
    if (params.length === 0 || input.ResetAllParameters === true) group.parameters.clear();
    else for (const p of params) if (p.ParameterName) group.parameters.delete(p.ParameterName);
    this.propagate(group, params.some((p) => p.ApplyMethod === 'pending-reboot') ? 'pending-reboot' : 'immediate');
    return { DBParameterGroupName: group.name };
  }

  /**
   * DescribeDBParameters: the user's values (Source `user`), the engine defaults not overridden
   * (`engine-default`), or both; `parameter-name` filter; paged.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBParameters.html
   */
  describeParameters(
    input: {
      DBParameterGroupName?: string;
      Source?: string;
      Filters?: { Name?: string; Values?: string[] }[];
      Marker?: string;
      MaxRecords?: number;
    },
    region: string,
  ): unknown {
    const group = this.mustGroup(region, String(input.DBParameterGroupName ?? ''));
    const describe = (name: string, value: string | undefined, source: string) => {
      const d = ENGINE_DEFAULTS.find((e) => e.name === name);
      return {
        ParameterName: name,
        ParameterValue: value,
        Source: source,
        ApplyType: d?.applyType ?? 'dynamic',
        DataType: d?.dataType ?? 'string',
        IsModifiable: true,
        ApplyMethod: 'pending-reboot',
      };
    };
    const user = [...group.parameters].map(([name, value]) => describe(name, value, 'user'));
    const defaults = ENGINE_DEFAULTS.filter((d) => !group.parameters.has(d.name)).map((d) => describe(d.name, d.value, 'engine-default'));
    const all =
      input.Source === 'user'
        ? user
        : input.Source === 'engine-default'
          ? defaults
          : input.Source === 'system'
            ? []
            : [...user, ...defaults];
    const names = input.Filters?.find((f) => f.Name === 'parameter-name')?.Values;
    const listed = all
      .filter((p) => !names || names.includes(p.ParameterName))
      .sort((a, b) => a.ParameterName.localeCompare(b.ParameterName));
    const { items, marker } = page(listed, input);
    return { Parameters: items, Marker: marker };
  }
}

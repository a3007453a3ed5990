import type { FakeAws } from '@dr/aws-fakes';
import type { DrConfig, RegionRole } from '@dr/failover-core';
import { expect } from 'vitest';

const other = (role: RegionRole): RegionRole => (role === 'primary' ? 'secondary' : 'primary');

/** Every database that accepts writes now, in both regions, as `region/id`. */
export function writableDatabases(fake: FakeAws, config: DrConfig): string[] {
  return [config.primary.region, config.secondary.region].flatMap((region) => fake.writable(region).map((id) => `${region}/${id}`));
}

/** The world in a few lines, for a failed expectation to show where it stands. */
export function describeWorld(fake: FakeAws, config: DrConfig): string {
  const dbs = fake.dbs.map((d) => {
    const s = fake.db(d.region, d.id)!;
    return `  ${d.region}/${d.id}: ${s.role} ${s.status}, group ${s.parameterGroup} (runs ${s.effectiveParameterGroup}, ${s.applyStatus}), read-only ${s.readOnlyEffective}, writable ${s.writable}`;
  });
  const groups = fake.parameterGroups
    .filter((g) => !g.isDefault)
    .map((g) => `  ${g.region}/${g.name}: read_only ${g.parameters.get('read_only') ?? '{TrueIfReplica}'}`);
  const regions = [config.primary, config.secondary].map((r) => {
    const g = fake.groups.get(r.endpointGroupArn);
    const a = fake.asgs.get(r.region);
    return `  ${r.region}: dial ${g?.dial}, weight ${g?.endpoints[0]?.weight}, capacity ${a?.min}/${a?.desired}/${a?.max}`;
  });
  const clusters = fake.aurora.instances.map((i) => {
    const s = fake.auroraDb(i.region, i.id)!;
    return `  ${i.region}/${s.clusterId} (${i.id}): ${s.role} ${s.status}${s.synchronizationStatus ? ` ${s.synchronizationStatus}` : ''}, group ${s.clusterParameterGroup} (${s.applyStatus}), read-only ${s.readOnlyEffective}, writable ${s.writable}`;
  });
  const clusterGroups = fake.aurora.clusterParameterGroups.map(
    (g) => `  ${g.region}/${g.name}: read_only ${g.parameters.get('read_only') ?? 'default'}`,
  );
  return ['databases:', ...dbs, ...clusters, 'parameter groups:', ...groups, ...clusterGroups, 'regions:', ...regions].join('\n');
}

/**
 * The world as it must be with `serving` active after any operation: exactly one writable
 * database, that region's own, on its own parameter group with the fence lifted and applied;
 * the other region's database fenced (the old primary after a failover or switchover) or a
 * replica of the serving one with no fence left on its group (the pilot light after a
 * failback); every retired instance on its region's retired group, read-only; capacity and
 * Global Accelerator weights as deployed for that side.
 */
export function expectServing(fake: FakeAws, config: DrConfig, serving: RegionRole, retired: number): void {
  const world = describeWorld(fake, config);
  const [active, standby] = [config[serving], config[other(serving)]];

  expect(writableDatabases(fake, config), world).toEqual([`${active.region}/${active.dbInstanceIdentifier}`]);
  expect(fake.db(active.region, active.dbInstanceIdentifier), world).toMatchObject({
    role: 'primary',
    parameterGroup: active.dbParameterGroupName,
    effectiveParameterGroup: active.dbParameterGroupName,
    applyStatus: 'in-sync',
    readOnlyEffective: false,
    writable: true,
  });
  expect(fake.parameterGroup(active.region, active.dbParameterGroupName)?.parameters.get('read_only'), world).toBeUndefined();

  const left = fake.db(standby.region, standby.dbInstanceIdentifier);
  if (serving === 'primary') {
    // The pilot light: a replica of the serving database, its group at {TrueIfReplica}, so the
    // next failover promotes a database that can take writes.
    expect(left, world).toMatchObject({
      role: 'replica',
      sourceArn: fake.db(active.region, active.dbInstanceIdentifier)?.arn,
      parameterGroup: standby.dbParameterGroupName,
      effectiveParameterGroup: standby.dbParameterGroupName,
      applyStatus: 'in-sync',
      writable: false,
    });
    expect(fake.parameterGroup(standby.region, standby.dbParameterGroupName)?.parameters.get('read_only'), world).toBeUndefined();
  } else {
    // The region left: its database fenced (read_only 1, applied), so nothing writes to a dead branch.
    expect(left, world).toMatchObject({
      role: 'primary',
      effectiveParameterGroup: standby.dbParameterGroupName,
      applyStatus: 'in-sync',
      readOnlyEffective: true,
      writable: false,
    });
  }

  const retiredDbs = fake.dbs.filter((d) => d.id.includes('-retired-'));
  expect(
    retiredDbs.map((d) => `${d.region}/${d.id}`),
    world,
  ).toHaveLength(retired);
  for (const d of retiredDbs) {
    const group =
      d.region === config.primary.region ? config.primary.retiredDbParameterGroupName : config.secondary.retiredDbParameterGroupName;
    expect(fake.db(d.region, d.id), `${d.region}/${d.id}\n${world}`).toMatchObject({
      role: 'primary',
      parameterGroup: group,
      effectiveParameterGroup: group,
      applyStatus: 'in-sync',
      readOnlyEffective: true,
      writable: false,
    });
  }

  expect(fake.asgs.get(active.region), world).toMatchObject({ min: active.capacity.min, desired: active.capacity.desired });
  expect(fake.asgs.get(standby.region), world).toMatchObject({ min: 0, desired: 0 });
  expect(fake.groups.get(active.endpointGroupArn), world).toMatchObject({ dial: 100, endpoints: [{ weight: 128 }] });
  expect(fake.groups.get(standby.endpointGroupArn), world).toMatchObject({ dial: 0, endpoints: [{ weight: 0 }] });
  expect(fake.servingRegion(), world).toBe(active.region);
}

/**
 * The Aurora tier's world with `serving` active after any operation: exactly one writable
 * database, the serving cluster's instance, with no fence left on its cluster parameter group;
 * the other region's cluster a secondary of the global database (AWS re-adds an old primary once
 * its region is back) with no fence left either, so the next failover or switchover to it finds
 * it writable; capacity and Global Accelerator weights as deployed for that side.
 */
export function expectAuroraServing(fake: FakeAws, config: DrConfig, serving: RegionRole): void {
  const world = describeWorld(fake, config);
  const [active, standby] = [config[serving], config[other(serving)]];
  const fence = (r: DrConfig['primary']) =>
    fake.aurora.clusterParameterGroups
      .find((g) => g.region === r.region && g.name === r.dbClusterParameterGroupName)
      ?.parameters.get('read_only');

  expect(writableDatabases(fake, config), world).toEqual([`${active.region}/${active.dbInstanceIdentifier}`]);
  expect(fake.auroraDb(active.region, active.dbInstanceIdentifier), world).toMatchObject({ role: 'primary', applyStatus: 'in-sync' });
  expect(fence(active), world).toBeUndefined();
  expect(fake.auroraDb(standby.region, standby.dbInstanceIdentifier), world).toMatchObject({ role: 'replica', writable: false });
  expect(fence(standby), world).toBeUndefined();

  expect(fake.asgs.get(active.region), world).toMatchObject({ min: active.capacity.min, desired: active.capacity.desired });
  expect(fake.asgs.get(standby.region), world).toMatchObject({ min: 0, desired: 0 });
  expect(fake.groups.get(active.endpointGroupArn), world).toMatchObject({ dial: 100, endpoints: [{ weight: 128 }] });
  expect(fake.groups.get(standby.endpointGroupArn), world).toMatchObject({ dial: 0, endpoints: [{ weight: 0 }] });
  expect(fake.servingRegion(), world).toBe(active.region);
}

/**
 * EC2 Auto Scaling and ALB target registration over the simulated world: instances launched
 * with a drawn launch time (never, without capacity for the type; late, across a capacity
 * loss), terminated by a capacity loss and replaced when it ends, and counted by the ALB once
 * their first health check passes.
 */
import { within, type Window } from './faults.js';
import type { SimWorld } from './world.js';

/** One simulated EC2 instance of a group. */
export interface Instance {
  readonly launchedAt: number;
  readonly inServiceAt: number;
  /** Time from InService to the first passing ALB health check. */
  readonly firstCheckMs: number;
  terminatedAt?: number | undefined;
}

/** A simulated Auto Scaling group. */
export interface SimAsg {
  readonly region: string;
  readonly name: string;
  min: number;
  desired: number;
  max: number;
  readonly instances: Instance[];
  /** Capacity-loss windows whose end has been applied (the group refilled). */
  readonly losses: Set<number>;
}

/** The Auto Scaling groups of one simulated world, and their instances. */
export class ComputeModel {
  private launches = 0;

  constructor(private readonly world: SimWorld) {}

  private capacityLost(region: string, t: number): (Window & { readonly region: string }) | undefined {
    return (this.world.faults.capacityLoss ?? []).find((w) => w.region === region && within(w, t));
  } /**
   * Launches instances. Without capacity for the instance type they never come InService; during
   * a capacity loss, Auto Scaling keeps trying, so they come InService a launch time after the
   * loss ends. Source: EC2 Auto Scaling user guide, "Benefits": the group retries, in another AZ,
   * until capacity is found; re:Post (AWS-answered), "will retry until an instance becomes available".
   */
  launch(asg: SimAsg, at: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.launches++;
      const lost = this.capacityLost(asg.region, at);
      const from = lost ? lost.to : at;
      asg.instances.push({
        launchedAt: at,
        inServiceAt:
          this.world.faults.noCapacityRegion === asg.region || from === undefined
            ? Number.POSITIVE_INFINITY
            : from + this.world.draw(`launch:${n}`, this.world.latency.instanceLaunchMs),
        firstCheckMs: this.world.draw(`first-check:${n}`, [1_000, this.world.latency.albHealthIntervalMs]),
      });
    }
  } /**
   * Applies the capacity losses that began by `t`: instances running at the loss are terminated
   * then; when it ends, the group launches replacements up to its desired capacity.
   */
  private reconcile(asg: SimAsg, t: number): void {
    (this.world.faults.capacityLoss ?? []).forEach((w, i) => {
      if (w.region !== asg.region || w.from > t) return;
      for (const inst of asg.instances) {
        if (inst.launchedAt < w.from && (inst.terminatedAt === undefined || inst.terminatedAt > w.from)) inst.terminatedAt = w.from;
      }
      if (w.to === undefined || w.to > t || asg.losses.has(i)) return;
      asg.losses.add(i);
      const end = w.to;
      const live = asg.instances.filter((x) => x.launchedAt <= end && (x.terminatedAt === undefined || x.terminatedAt > end)).length;
      if (asg.desired > live) this.launch(asg, end, asg.desired - live);
    });
  } /** The group's instances running at `t`, after the capacity losses that began by then. */
  liveInstances(asg: SimAsg, t: number): Instance[] {
    this.reconcile(asg, t);
    return asg.instances.filter((i) => i.launchedAt <= t && (i.terminatedAt === undefined || i.terminatedAt > t));
  } /** Sets the group's sizes at `t`: instances are launched or terminated to meet `desired`. */
  setCapacity(asg: SimAsg, t: number, min: number, desired: number, max: number): void {
    asg.min = min;
    asg.max = max;
    asg.desired = desired;
    const live = this.liveInstances(asg, t);
    if (live.length < desired) this.launch(asg, t, desired - live.length);
    for (const extra of live.slice(desired)) extra.terminatedAt = t;
  } /** Instances of the group in service at `t`. */
  inServiceAt(asg: SimAsg, t: number): number {
    return this.liveInstances(asg, t).filter((i) => i.inServiceAt <= t).length;
  } /** Live instances in service whose first health check has passed. */
  checkedTargets(region: string, t: number): number {
    const asg = this.world.asgs.get(region);
    return asg ? this.liveInstances(asg, t).filter((i) => i.inServiceAt + i.firstCheckMs <= t).length : 0;
  }
}

/**
 * Route 53 health checks over the simulated world: checkers spread around the world, each
 * probing the region's endpoint on its own phase and changing its mind only after
 * `route53FailureThreshold` checks in a row disagree; the aggregate verdict, and what a
 * resolver serves for the health record through its cache.
 */
import { ResourceNotFoundError } from '../errors.js';
import { HEALTH_RECORD_TTL_SECONDS, type HealthCheckReading } from '../ports.js';
import type { SimWorld } from './world.js';

/** One Route 53 checker's view: the check it last made, what it concluded, and the disagreeing checks in a row. */
interface CheckerView {
  k: number;
  healthy: boolean;
  streak: number;
}

/** Route 53's checkers and their DNS answers for the regions of one simulated world. */
export class Route53Model {
  private readonly checkerViews = new Map<string, CheckerView[]>();

  constructor(private readonly world: SimWorld) {}

  /** Whether Route 53's checkers, aggregated, count the region's endpoint healthy at `t`. */
  healthy(region: string, t: number): boolean {
    const {
      route53Checkers: n,
      route53IntervalMs: interval,
      route53FailureThreshold: threshold,
      route53HealthyShare: share,
    } = this.world.latency;
    const views = this.checkerViews.get(region) ?? [];
    this.checkerViews.set(region, views);
    const first = this.world.startAt - interval * (threshold + 1);
    let healthy = 0;
    for (let c = 0; c < n; c++) {
      const phase = Math.floor(this.world.rng.at(`r53-phase:${region}:${c}`) * interval);
      const checkTime = (k: number) => first + phase + k * interval;
      // Views only move forward in time; a look into the past starts over.
      const prior = views[c];
      let view: CheckerView =
        prior && checkTime(prior.k) <= t ? { ...prior } : { k: -1, healthy: this.world.endpointUp(region, first), streak: 0 };
      for (let k = view.k + 1; checkTime(k) <= t; k++) {
        const up = this.world.endpointUp(region, checkTime(k));
        const streak = up === view.healthy ? 0 : view.streak + 1;
        view = streak >= threshold ? { k, healthy: up, streak: 0 } : { k, healthy: view.healthy, streak };
      }
      views[c] = view;
      if (view.healthy) healthy++;
    }
    return healthy / n > share;
  }

  /**
   * What a resolver in the controller's region answers for the region's health record at `t`:
   * Route 53's verdict `route53DnsMs` after it changed, as cached by the resolver for the
   * record's TTL. The age is how long the answer sat in the cache plus one checker interval.
   */
  answer(region: string | undefined, t: number): HealthCheckReading {
    if (region === undefined) throw new ResourceNotFoundError('Route 53 health check', 'global');
    const ttl = HEALTH_RECORD_TTL_SECONDS * 1000;
    const phase = Math.floor(this.world.rng.at(`dns-phase:${region}`) * ttl);
    const fetchedAt = t - ((((t - phase) % ttl) + ttl) % ttl);
    const healthy = this.healthy(region, fetchedAt - this.world.draw(`r53-dns:${region}`, this.world.latency.route53DnsMs));
    return { healthy, ageMs: t - fetchedAt + this.world.latency.route53IntervalMs };
  }
}

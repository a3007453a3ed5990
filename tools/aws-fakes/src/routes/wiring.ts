import type { FakeService } from '../fake-aws-state.js';
import type { FakeAurora } from '../fake-aurora.js';
import type { FakeRds } from '../fake-rds.js';

/** How the fake answers one call: the command's input, the client's region. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs and outputs are the SDK's, per command
export type FakeHandler = (input: any, region: string) => Promise<any>;

/**
 * What a group of routes is wired with: {@link FakeAws}'s registration of a route (outages, IAM and
 * lost responses applied), its call counter, and the internals the routes answer from.
 */
export interface FakeWiring {
  route(service: FakeService, command: { readonly name: string }, answer: FakeHandler): void;
  count(kind: string): void;
  readonly rds: FakeRds;
  /** The Aurora world (empty on the RDS tier). */
  readonly aurora: FakeAurora;
  /** The InService instances of `region`'s group (none in an outage). */
  healthy(region: string): number;
  /** CreateEndpointGroup's idempotency tokens: the group each made. */
  readonly groupTokens: Map<string, string>;
}

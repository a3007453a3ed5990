/**
 * What every resource rule receives and returns, and the small readers of template values they share.
 */
import type { StackTemplate, TemplateResource } from '../assembly.js';
import type { Assumptions } from '../assumptions.js';
import { CostReportError } from '../errors.js';
import type { PriceKey, PriceUsed } from '../prices.js';
import { HOURS_PER_MONTH } from '../schedule.js';

/** What a line is: counted at a price, usage-dependent (listed, not counted), free, or of a type no rule prices. */
export type LineKind = 'priced' | 'usage' | 'free' | 'not-priced';

/** Why a line is left out of the issue's DR figure. */
export type Exclusion = 'replica-database' | 'global-accelerator';

/** What a rule says of one resource (or one part of it, such as a secret's replica). */
export interface RuleLine {
  readonly kind: LineKind;
  readonly idleUsd: number;
  readonly failoverUsd: number;
  /** Price × quantity of every charge, and the assumptions the figure rests on. */
  readonly basis: string;
  /** The region billed, when not the stack's (a secret's replica). */
  readonly region?: string;
  /** A suffix for the logical id, when one resource gives several lines. */
  readonly part?: string;
  readonly excluded?: Exclusion;
}

/** The two states the report prices. */
export type Mode = 'idle' | 'failover';

/** Everything a rule may read. */
export interface RuleContext {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly assembly: readonly StackTemplate[];
  readonly drRegion: string;
  readonly primaryRegion: string;
  readonly assumptions: Assumptions;
  /** Looks a price up for a region and records it for the report's list of sources. */
  readonly price: (key: PriceKey, region?: string) => PriceUsed;
  /** Adds log ingestion (GB a month) to a log group of the stack, for its storage line. */
  readonly addLogIngestion: (logGroupId: string, idleGb: number, failoverGb: number) => void;
  /** Log ingestion recorded so far for a log group (rules that write logs run before log groups). */
  readonly logIngestion: (logGroupId: string) => { readonly idleGb: number; readonly failoverGb: number };
}

/** A resource rule: the lines one resource costs. */
export type Rule = (ctx: RuleContext) => readonly RuleLine[];

/** `{ Ref: X }` or `{ 'Fn::GetAtt': [X, ...] }` → X. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** A property of the resource, or undefined. */
export function prop(ctx: RuleContext, name: string): unknown {
  return ctx.resource.Properties?.[name];
}

/** Where a value sits, for error messages: `Lamp-Secondary/AppGroupASG744D7F67.MinSize`. */
export function fieldPath(ctx: RuleContext, field: string): string {
  return `${ctx.stack.name}/${ctx.logicalId}.${field}`;
}

/** A literal number (CloudFormation often writes them as strings); an intrinsic cannot be priced. */
export function literalNumber(ctx: RuleContext, field: string, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n))
    throw new CostReportError(`${fieldPath(ctx, field)} is ${JSON.stringify(value)}: the report needs a literal number there`);
  return n;
}

/** A charge: price × quantity, and how it reads. */
export interface Charge {
  readonly usd: number;
  readonly text: string;
}

const usdText = (usd: number) => `$${Number(usd.toPrecision(6))}`;
const quantityText = (q: number) => (q >= 1000 ? Math.round(q).toLocaleString('en-US') : String(Number(q.toPrecision(4))));

/** `quantity` units of `price`. */
export function charge(price: PriceUsed, quantity: number, note = ''): Charge {
  return { usd: price.usd * quantity, text: `${quantityText(quantity)} ${price.unit} × ${usdText(price.usd)}${note ? ` (${note})` : ''}` };
}

/** A month of hours of `price` for `count` things. */
export function monthOf(price: PriceUsed, count = 1, note = ''): Charge {
  return charge(price, count * HOURS_PER_MONTH, note || (count === 1 ? '' : `${count} × ${HOURS_PER_MONTH} h`));
}

/** Sums charges into one line's figure and basis. */
export function total(charges: readonly Charge[]): { readonly usd: number; readonly text: string } {
  return { usd: charges.reduce((sum, c) => sum + c.usd, 0), text: charges.map((c) => c.text).join(' + ') };
}

/** A line that costs the same idle and in a failover. */
export function steady(charges: readonly Charge[], extra: Partial<RuleLine> = {}): RuleLine {
  const { usd, text } = total(charges);
  return { kind: 'priced', idleUsd: usd, failoverUsd: usd, basis: text, ...extra };
}

/** A line with no cost counted: free, usage-dependent or not priced, with why. */
export function uncounted(kind: Exclude<LineKind, 'priced'>, basis: string): RuleLine {
  return { kind, idleUsd: 0, failoverUsd: 0, basis };
}

/** Whether the stack's region serves traffic in `mode`: the DR region only in a failover; others keep their idle state. */
export function serving(ctx: RuleContext, mode: Mode): boolean {
  return ctx.stack.region !== ctx.drRegion || mode === 'failover';
}

/**
 * `@dr/cost-report`: what a cloud assembly's templates cost a month at list prices, per resource,
 * stack and region, idle and during a failover.
 */
export { readAssembly, type StackTemplate, type TemplateResource } from './assembly.js';
export { DEFAULT_ASSUMPTIONS, type Assumptions } from './assumptions.js';
export { CostReportError, NoPriceError, isCostReportError, isNoPriceError } from './errors.js';
export { formatMarkdown, formatText } from './format.js';
export { FREE_TIERS, PRICES, priceOf, type FreeTier, type Price, type PriceEntry, type PriceKey, type PriceUsed } from './prices.js';
export { buildReport, type CostLine, type CostReport, type ReportOptions, type Totals } from './report.js';
export { HOURS_PER_MONTH, invocationsPerMonth } from './schedule.js';

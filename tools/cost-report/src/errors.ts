/**
 * Errors of the cost report. Branded (`Symbol.for`) like `@dr/failover-core`'s, so `isX()` works
 * even if two copies of the module are loaded.
 */

const COST_REPORT_ERROR = Symbol.for('@dr/cost-report.CostReportError');
const NO_PRICE = Symbol.for('@dr/cost-report.NoPriceError');

function hasBrand(value: unknown, mark: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
}

/** Bad input: an assembly, template or option the report cannot read. The message names the field. */
export class CostReportError extends Error {
  override readonly name: string = 'CostReportError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, COST_REPORT_ERROR, { value: true });
  }
}

/** A resource needs a price the table does not have for its region. */
export class NoPriceError extends CostReportError {
  override readonly name = 'NoPriceError';
  constructor(
    readonly region: string,
    readonly priceKey: string,
    readonly neededBy: string,
  ) {
    super(
      `no price for ${priceKey} in ${region} (needed by ${neededBy}): add it to tools/cost-report/src/prices.ts with its source and the day it was read`,
    );
    Object.defineProperty(this, NO_PRICE, { value: true });
  }
}

/** True for any error of the cost report (bad input or a missing price). */
export const isCostReportError = (error: unknown): error is CostReportError => hasBrand(error, COST_REPORT_ERROR);

/** True when a price is missing for a region. */
export const isNoPriceError = (error: unknown): error is NoPriceError => hasBrand(error, NO_PRICE);

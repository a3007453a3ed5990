/**
 * Errors of `@dr/failover-core`. Each class carries a brand so that `isX()` works across two
 * loaded copies of this package (a dual ESM/CJS install), where `instanceof` would not.
 */

const brand = (name: string): symbol => Symbol.for(`@dr/failover-core.${name}`);

const DR_ERROR = brand('DrError');
const CONFIG_ERROR = brand('ConfigError');
const REGION_UNREACHABLE = brand('RegionUnreachable');
const THROTTLED = brand('Throttled');
const RESOURCE_NOT_FOUND = brand('ResourceNotFound');
const VERSION_CONFLICT = brand('VersionConflict');
const LOCK_HELD = brand('LockHeld');
const LEASE_LOST = brand('LeaseLost');
const OPERATION_REJECTED = brand('OperationRejected');
const NOT_READY = brand('NotReady');

function hasBrand(value: unknown, mark: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
}

/** Base class of every error this package throws. */
export class DrError extends Error {
  override readonly name: string = 'DrError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, DR_ERROR, { value: true });
  }
}

/** One invalid field of a configuration, named by its dotted path. */
export interface ConfigIssue {
  /** Dotted path of the field, such as `primary.region` or `detection.quorum`; `(root)` for the whole document. */
  readonly path: string;
  /** What is wrong with it, in plain words. */
  readonly message: string;
}

/** A configuration failed validation; `issues` names every bad field. */
export class ConfigError extends DrError {
  override readonly name = 'ConfigError';
  /** Every problem found, in document order. */
  readonly issues: readonly ConfigIssue[];
  /** Where the config came from, such as a file name or an SSM parameter and its region. */
  readonly source: string;
  constructor(issues: readonly ConfigIssue[], source = 'config', options?: ErrorOptions) {
    super(`${source} is invalid:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, options);
    this.issues = issues;
    this.source = source;
    Object.defineProperty(this, CONFIG_ERROR, { value: true });
  }
}

/**
 * Why a region's API gave no answer, as the network said it: no answer by the deadline
 * (`timeout`), the connection refused (`refused`), the endpoint's name not resolved (`dns`), the
 * connection dropped before an answer (`reset`), or no route to the endpoint (`no-route`). The
 * engine treats them all alike; an operator's tool tells a broken network path on its own side
 * (every region refused) from a region that does not answer.
 */
export type UnreachableReason = 'timeout' | 'refused' | 'dns' | 'reset' | 'no-route';

/** Options of a {@link RegionUnreachableError}. */
export interface RegionUnreachableOptions extends ErrorOptions {
  /** Why no answer came. @default 'timeout' */
  readonly reason?: UnreachableReason;
}

/** A region's API did not answer within the bounded time; the caller must not wait on it further. */
export class RegionUnreachableError extends DrError {
  override readonly name = 'RegionUnreachableError';
  /** Why no answer came, for people and scripts; the engine does not look at it. */
  readonly reason: UnreachableReason;
  constructor(
    readonly region: string,
    message = `region ${region} did not answer in time`,
    options?: RegionUnreachableOptions,
  ) {
    super(message, options);
    this.reason = options?.reason ?? 'timeout';
    Object.defineProperty(this, REGION_UNREACHABLE, { value: true });
  }
}

/** An API call was throttled; it may be retried after a backoff. */
export class ThrottledError extends DrError {
  override readonly name = 'ThrottledError';
  constructor(message = 'request was throttled', options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, THROTTLED, { value: true });
  }
}

/** A resource named in the configuration does not exist where it was looked for. */
export class ResourceNotFoundError extends DrError {
  override readonly name = 'ResourceNotFoundError';
  constructor(
    readonly resource: string,
    readonly region: string,
    options?: ErrorOptions,
  ) {
    super(`${resource} was not found in ${region}`, options);
    Object.defineProperty(this, RESOURCE_NOT_FOUND, { value: true });
  }
}

/** AWS refused an operation for a reason a retry will not fix (for example, an invalid state). */
export class OperationRejectedError extends DrError {
  override readonly name = 'OperationRejectedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, OPERATION_REJECTED, { value: true });
  }
}

/**
 * The resource is busy with something that may be our own earlier call (a promotion under way,
 * a backup running): retry later, and do not assume the call had no effect.
 */
export class NotReadyError extends DrError {
  override readonly name = 'NotReadyError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, NOT_READY, { value: true });
  }
}

/** A compare-and-set write found a different version than expected. */
export class VersionConflictError extends DrError {
  override readonly name = 'VersionConflictError';
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    options?: ErrorOptions,
  ) {
    super(`state ${key} changed since version ${expectedVersion} was read`, options);
    Object.defineProperty(this, VERSION_CONFLICT, { value: true });
  }
}

/** Another controller holds the run's lease. */
export class LockHeldError extends DrError {
  override readonly name = 'LockHeldError';
  constructor(
    readonly key: string,
    readonly owner: string,
    readonly expiresAt: number,
    options?: ErrorOptions,
  ) {
    super(`run ${key} is held by ${owner} until ${new Date(expiresAt).toISOString()}`, options);
    Object.defineProperty(this, LOCK_HELD, { value: true });
  }
}

/** This controller's lease was taken over by another; it must stop acting at once. */
export class LeaseLostError extends DrError {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly key: string,
    readonly epoch: number,
    options?: ErrorOptions,
  ) {
    super(`lease on ${key} at epoch ${epoch} was lost to another controller`, options);
    Object.defineProperty(this, LEASE_LOST, { value: true });
  }
}

/** True for any error thrown by this package. */
export const isDrError = (e: unknown): e is DrError => hasBrand(e, DR_ERROR);
/** True for a {@link ConfigError}. */
export const isConfigError = (e: unknown): e is ConfigError => hasBrand(e, CONFIG_ERROR);
/** True for a {@link RegionUnreachableError}. */
export const isRegionUnreachable = (e: unknown): e is RegionUnreachableError => hasBrand(e, REGION_UNREACHABLE);
/** True for a {@link ThrottledError}. */
export const isThrottled = (e: unknown): e is ThrottledError => hasBrand(e, THROTTLED);
/** True for a {@link ResourceNotFoundError}. */
export const isResourceNotFound = (e: unknown): e is ResourceNotFoundError => hasBrand(e, RESOURCE_NOT_FOUND);
/** True for an {@link OperationRejectedError}. */
export const isOperationRejected = (e: unknown): e is OperationRejectedError => hasBrand(e, OPERATION_REJECTED);
/** True for a {@link NotReadyError}. */
export const isNotReady = (e: unknown): e is NotReadyError => hasBrand(e, NOT_READY);
/** True for a {@link VersionConflictError}. */
export const isVersionConflict = (e: unknown): e is VersionConflictError => hasBrand(e, VERSION_CONFLICT);
/** True for a {@link LockHeldError}. */
export const isLockHeld = (e: unknown): e is LockHeldError => hasBrand(e, LOCK_HELD);
/** True for a {@link LeaseLostError}. */
export const isLeaseLost = (e: unknown): e is LeaseLostError => hasBrand(e, LEASE_LOST);

/** True when retrying the same call later may succeed (throttling, an unreachable region, a busy resource). */
export const isRetryable = (e: unknown): boolean => isThrottled(e) || isRegionUnreachable(e) || isNotReady(e);

/** True when a failed mutating call may nevertheless have taken effect (it timed out, or the resource is busy, perhaps with it). */
export const mayHaveLanded = (e: unknown): boolean => isRegionUnreachable(e) || isNotReady(e);

/** How a failed call failed: whether the region answered decides how long the engine keeps trying. */
export type FailureCause = 'unreachable' | 'throttled' | 'busy' | 'rejected' | 'other';

/**
 * How a call failed, for the engine's patience: an unreachable region is given up on sooner
 * before the point of no return; throttling and a busy resource are waited out.
 */
export function failureCause(e: unknown): FailureCause {
  if (isRegionUnreachable(e)) return 'unreachable';
  if (isThrottled(e)) return 'throttled';
  if (isNotReady(e)) return 'busy';
  if (isOperationRejected(e) || isResourceNotFound(e)) return 'rejected';
  return 'other';
}

/** A short message for any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Exhaustiveness check for discriminated unions: compiles only when every case is handled. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

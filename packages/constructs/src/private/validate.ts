import type { IConstruct } from 'constructs';

/** One prop rule: when `failed` is true, `message` says what is wrong and names the prop. */
export interface PropRule {
  readonly failed: boolean;
  readonly message: string;
}

/**
 * Checks every rule and throws one error listing every violation, tied to the construct's path
 * (the shape of aws-cdk's validate-database-cluster-props).
 */
export function validateProps(scope: IConstruct, rules: readonly PropRule[]): void {
  const violations = rules.filter((r) => r.failed).map((r) => r.message);
  if (violations.length > 0) {
    throw new Error(`${scope.node.path}: invalid props:\n${violations.map((v) => `  - ${v}`).join('\n')}`);
  }
}

/** Parses an IPv4 CIDR into its first address (as a number) and prefix length, or undefined. */
export function parseCidr(cidr: string): { start: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { start: address - (address % size), prefix };
}

/** True when two IPv4 CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  const xEnd = x.start + 2 ** (32 - x.prefix);
  const yEnd = y.start + 2 ** (32 - y.prefix);
  return x.start < yEnd && y.start < xEnd;
}

import { createHash } from 'node:crypto';

/**
 * A semantic version whose patch is derived from `content`: Image Builder components and recipes
 * are immutable per version, so changed content under an unchanged version fails the deploy.
 * 7 hex digits of SHA-256 stay below Image Builder's 2^30 limit per version part.
 * @see https://docs.aws.amazon.com/imagebuilder/latest/userguide/ibhow-semantic-versioning.html
 */
export function contentVersion(content: string, majorMinor = '1.0'): string {
  const patch = Number.parseInt(createHash('sha256').update(content).digest('hex').slice(0, 7), 16);
  return `${majorMinor}.${patch}`;
}

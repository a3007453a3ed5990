import type { DataTierName, RunSummary } from '@dr/failover-core';
import { UsageError } from './errors.js';

/**
 * The version of every JSON document `dr` prints (`--json`). It changes only when a field is
 * removed, renamed or changes meaning; new fields may appear within a version. The documents are
 * described by `schema/dr-output.schema.json`, shipped in the package.
 */
export const SCHEMA_VERSION = 1;

/** The command a JSON document comes from. */
export type DocumentCommand = 'drill' | 'failover' | 'switchover' | 'failback' | 'rebuild' | 'plan' | 'status';

/** What every run measured, in seconds to a tenth; null when not reached or not seen. */
export interface DocumentMeasures {
  readonly detectSeconds: number | null;
  readonly rtoSeconds: number | null;
  readonly rpoSeconds: number | null;
  readonly durationSeconds: number | null;
}

/** The fields every `dr` JSON document starts with, whatever the command. */
export interface DocumentHead {
  /** {@link SCHEMA_VERSION}. */
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly command: DocumentCommand;
  /** `simulated` for a drill on the built-in simulator; `live` for anything read from or done to AWS. */
  readonly mode: 'simulated' | 'live';
  /** When the document was made (ISO 8601, UTC). */
  readonly generatedAt: string;
  /** The data tier a drill ran on (`rds-replica` or `aurora-global`); absent from the other commands' documents. */
  readonly dataTier?: DataTierName | undefined;
  /**
   * The one word a script branches on: a run's end (`completed`, `failed`, `rolled-back`,
   * `refused`, `stopped`, `not-triggered`, ...), a dry run's (`would-start`, `would-refuse`), or a
   * status's (`healthy`, `degraded`, `not-observed`).
   */
  readonly outcome: string;
  /** What the run measured; null for a document with no run (status, a dry run). */
  readonly measures: DocumentMeasures | null;
  /** What the run changed, the state it left and the one command next; null when no run happened. */
  readonly summary: RunSummary | null;
}

/**
 * When a document or a report says it was made: now, or `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when set,
 * as reproducible builds define it (https://reproducible-builds.org/specs/source-date-epoch/),
 * so a report made for documentation is the same byte for byte from one run to the next.
 * @throws {@link UsageError} when `SOURCE_DATE_EPOCH` is set but not a whole number of seconds.
 */
export function reportDate(env: NodeJS.ProcessEnv, now: () => Date = () => new Date()): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return now();
  if (!/^\d{1,12}$/.test(epoch))
    throw new UsageError(`SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; got ${JSON.stringify(epoch)}`);
  return new Date(Number(epoch) * 1000);
}

/**
 * One JSON document for `--json`: the common head, then the command's own fields. The head's
 * fields win over a body field of the same name, so every document reads alike at the top.
 */
export function jsonDocument<Body extends object>(
  head: Omit<DocumentHead, 'schemaVersion' | 'generatedAt'> & { readonly generatedAt?: string },
  body: Body,
): DocumentHead & Omit<Body, keyof DocumentHead> {
  const { schemaVersion, command, mode, generatedAt, outcome, measures, summary, ...rest } = body as Body & Partial<DocumentHead>;
  void [schemaVersion, command, mode, generatedAt, outcome, measures, summary];
  const first: DocumentHead = {
    schemaVersion: SCHEMA_VERSION,
    command: head.command,
    mode: head.mode,
    generatedAt: head.generatedAt ?? reportDate(process.env).toISOString(),
    ...(head.dataTier === undefined ? {} : { dataTier: head.dataTier }),
    outcome: head.outcome,
    measures: head.measures,
    summary: head.summary,
  };
  return { ...first, ...rest } as DocumentHead & Omit<Body, keyof DocumentHead>;
}

/** The measures of a document, picked from anything that carries them under the same names (a drill's report, a run's measures). */
export function measuresOf(from: Partial<Record<keyof DocumentMeasures, number | null>>): DocumentMeasures {
  return {
    detectSeconds: from.detectSeconds ?? null,
    rtoSeconds: from.rtoSeconds ?? null,
    rpoSeconds: from.rpoSeconds ?? null,
    durationSeconds: from.durationSeconds ?? null,
  };
}

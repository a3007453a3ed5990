import * as v from 'valibot';

/**
 * Input a handler cannot work with: an event of the wrong shape or a missing or malformed
 * setting. It is raised before any AWS call, so nothing was changed.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

const ScheduledEventSchema = v.looseObject({
  source: v.literal('aws.events', 'must be "aws.events" (an EventBridge schedule)'),
  'detail-type': v.literal('Scheduled Event', 'must be "Scheduled Event"'),
  time: v.pipe(v.string('must be an ISO 8601 time'), v.isoTimestamp('must be an ISO 8601 time')),
});

/** The part of an EventBridge scheduled event the handlers use. */
export type ScheduledEvent = v.InferOutput<typeof ScheduledEventSchema>;

/**
 * Checks that `event` is an EventBridge scheduled event (what the schedules the constructs
 * create send).
 * @throws InvalidInputError naming every wrong field by path.
 */
export function parseScheduledEvent(event: unknown): ScheduledEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError([
      `event must be an EventBridge scheduled event (an object); got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`,
    ]);
  }
  const result = v.safeParse(ScheduledEventSchema, event);
  if (result.success) return result.output;
  throw new InvalidInputError(
    result.issues.map((i) => `event.${v.getDotPath(i) ?? '(root)'} ${i.message}; got ${JSON.stringify(i.input)}`),
  );
}

/** How to read one environment variable. */
export type Setting =
  { readonly required: true } | { readonly required: false; readonly integer?: { readonly min: number; readonly max: number } };

/**
 * Reads the named environment variables at once, so one error names every missing or bad one.
 * @throws InvalidInputError listing each problem.
 */
export function readSettings<K extends string>(
  spec: Readonly<Record<K, Setting>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<K, string | undefined> {
  const problems: string[] = [];
  const out = {} as Record<K, string | undefined>;
  for (const name of Object.keys(spec) as K[]) {
    const setting = spec[name];
    const value = env[name]?.trim() || undefined;
    if (value === undefined && setting.required) problems.push(`environment variable ${name} is not set`);
    if (value !== undefined && !setting.required && setting.integer) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < setting.integer.min || n > setting.integer.max) {
        problems.push(
          `environment variable ${name} must be a whole number from ${setting.integer.min} to ${setting.integer.max}; got ${JSON.stringify(value)}`,
        );
      }
    }
    out[name] = value;
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return out;
}

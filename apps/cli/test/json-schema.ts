import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/** The JSON Schema shipped in the package (`schema/dr-output.schema.json`), as an operator's script would load it. */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema/dr-output.schema.json', import.meta.url));

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

/** The schema's complaints about a document, one line each (`/path: message`); empty when it is valid. */
export function schemaErrors(document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`,
  );
}

/**
 * Parses one `dr --json` output and expects it to follow the shipped schema; returns the document,
 * typed as loosely as `JSON.parse` (a test names the fields it reads).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same contract as JSON.parse, which it replaces in tests
export function expectValidDocument<T = any>(stdout: string): T {
  const document: unknown = JSON.parse(stdout);
  expect(schemaErrors(document)).toEqual([]);
  return document as T;
}

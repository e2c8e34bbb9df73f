// Shared helpers for the grammar tests: compile a snippet, validate IR against the schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { Scenario } from '../../schema/generated/types.js';
import { compileSource, type CompileResult } from '../../grammar/compile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const examplesDir = root + 'scenarios/examples/';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(root + 'schema/scenario.schema.json', 'utf8')) as object);

/** Schema errors of a compiled scenario, as readable strings (empty when valid). */
export function schemaErrors(s: Scenario): string[] {
  return validate(s) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

export const HEADER = 'scenario "t"\n';

/** Compile statements after a one-line header (so statement line N is file line N + 1). */
export function compileBody(body: string): CompileResult {
  return compileSource(HEADER + body, 't.mls');
}

/** The IR without what legitimately differs between two compilations (locations, hash, file). */
export function withoutLocations(s: Scenario): unknown {
  return JSON.parse(JSON.stringify({ ...s, hash: '', file: '' }, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}

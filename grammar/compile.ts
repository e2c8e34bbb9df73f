// Public API of the .mls front end: text → IR (schema/scenario.schema.json) plus
// diagnostics. Never throws: internal failures become an `mls/internal` message.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Message, Scenario } from '../schema/generated/types.js';
import { Diagnostics } from './diagnostics.js';
import { lowerFile } from './lower.js';
import { parseSource, sourceLines } from './parse.js';

export interface CompileResult {
  /** Present iff no message has severity error. */
  scenario?: Scenario;
  messages: Message[];
}

function internal(file: string, err: unknown): Message {
  const text = err instanceof Error ? err.message : String(err);
  return {
    id: 'mls/internal',
    severity: 'error',
    text: `internal compiler error: ${text}`,
    location: { file, line: 1, column: 1 },
    notes: [{ text: 'this is a bug in mls; please report it with the input file' }],
  };
}

export function compileSource(text: string, file: string): CompileResult {
  try {
    const d = new Diagnostics(file, sourceLines(text));
    const { ast, fatal } = parseSource(text, d);
    // A bad line does not stop the file: the lines that parsed are still checked
    // (SPEC.md §1: every bad line is reported, and so is every other mistake).
    if (fatal) return { messages: d.messages };
    const hash = createHash('sha256').update(text).digest('hex');
    const scenario = lowerFile(ast, d, hash);
    // Parse errors were found in a first pass; report everything in line order.
    const messages = [...d.messages].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    return scenario && !d.hasErrors() ? { scenario, messages } : { messages };
  } catch (err) {
    return { messages: [internal(file, err)] };
  }
}

/** Read and compile a file; bytes that are not UTF-8 give `mls/binary`. */
export async function compileFile(path: string): Promise<CompileResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { messages: [{ id: 'mls/read', severity: 'error', text: `cannot read ${path}: ${code}`, notes: [] }] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      messages: [{ id: 'mls/binary', severity: 'error', text: 'not a text file: invalid UTF-8', location: { file: path, line: 1, column: 1 }, notes: [{ text: 'a .mls file is UTF-8 text' }] }],
    };
  }
  return compileSource(text, path);
}

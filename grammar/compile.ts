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

/**
 * The largest file compiled, in characters (SPEC Part I §1): compile time and memory are
 * linear, but ohm matches each distinct line at ~5,000 lines a CPU second (~5 s a MiB; repeated
 * lines are matched once: ~0.5 s and ~30 MB a MiB), so without a bound a big file runs for minutes.
 * `--max-file-size` / MLS_MAX_FILE_SIZE raise it (the CLI puts the flag in the
 * environment, so worker threads and the language server see the same limit).
 */
export const MAX_FILE_CHARS_DEFAULT = 8 * 2 ** 20;

/** MLS_MAX_FILE_SIZE (`16M`, `1G`, a number of bytes) or the default; a bad value is the default (the CLI rejects it first). */
export function maxFileChars(env: Record<string, string | undefined> | undefined = globalThis.process?.env): number {
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(env?.['MLS_MAX_FILE_SIZE']?.trim() ?? '');
  if (!m) return MAX_FILE_CHARS_DEFAULT;
  const n = Number(m[1]) * ({ '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 } as Record<string, number>)[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_FILE_CHARS_DEFAULT;
}

function tooLarge(file: string, chars: number, max: number): Message {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return {
    id: 'mls/file-too-large', severity: 'error', text: `file too large: ${mib(chars)} (${chars} characters); the limit is ${mib(max)}`,
    location: { file, line: 1, column: 1, length: 0 },
    notes: [{ text: 'raise it with --max-file-size <size> or MLS_MAX_FILE_SIZE=<size> (e.g. 64M); compiling takes up to ~5 s a MiB' }],
  };
}

export function compileSource(text: string, file: string): CompileResult {
  try {
    const max = maxFileChars();
    if (text.length > max) return { messages: [tooLarge(file, text.length, max)] };
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
      // No source line is shown (length 0, no lineText): it would echo raw bytes to the terminal.
      messages: [{ id: 'mls/binary', severity: 'error', text: 'not a text file: invalid UTF-8', location: { file: path, line: 1, column: 1, length: 0 }, notes: [{ text: 'a .mls file is UTF-8 text' }] }],
    };
  }
  return compileSource(text, path);
}

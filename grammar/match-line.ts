// Matching one line of .mls against the grammar: the whole-line rule `Line`
// (the formatter walks its CST) and the fast path that starts from the
// narrowest rule the first word allows. Converting a match is to-ast.ts's job.
import type { MatchResult } from 'ohm-js';
import grammar from './mls.ohm-bundle.js';

/** Match one line's code against `Line` (comment already stripped); the formatter walks this CST. */
export function matchLine(code: string): MatchResult {
  return grammar.match(code, 'Line');
}

/**
 * Start rules that parse a line exactly as `Line` does, chosen from its first
 * word. PEG alternatives are ordered, so when the first word rules out every
 * earlier alternative of Line, Line's result is that of the narrower rule:
 * - a header keyword: `in`, `}` are excluded, so Line is Header (when Header matches);
 * - `expect`: Line can only be Action, whose first alternative is Expect;
 * - a Plain keyword not followed by `=`: Bind and Bindable fail, so Line is PlainLine;
 * - any other word: Line can only be Action, and Expect fails, so Line is Action_call.
 * When the narrow rule fails, `Line` is matched: it decides, and its failure
 * gives the full expected-token list for the diagnostic.
 */
export type StartRule = 'Line' | 'Header' | 'Expect' | 'PlainLine' | 'Action_call';

const HEADER_WORDS = new Set(['scenario', 'about', 'tags', 'kernel', 'requires', 'image', 'max_map_count', 'only', 'skip', 'todo']);
const PLAIN_WORDS = new Set([
  'file', 'truncate', 'fsync', 'fdatasync', 'fadvise', 'munmap', 'mlock', 'munlock', 'mpin', 'munpin', 'pin', 'unpin', 'mprotect', 'mlock2', 'mlockall',
  'munlockall', 'madvise', 'msync', 'brk', 'setrlimit', 'cap', 'user', 'access', 'read', 'write', 'grow_stack', 'exec', 'exit',
  'shmget', 'shmdt', 'shmctl', 'unlink',
]);
/** Leading `hsp*` (the grammar's space), the first word (the grammar's `word`), the next non-space character. */
const FIRST_WORD = /^[ \t\r]*([A-Za-z_][A-Za-z0-9_]*)[ \t\r]*(.?)/;

export function startRule(code: string): StartRule {
  const m = FIRST_WORD.exec(code);
  if (!m) return 'Line';
  const w = m[1]!;
  if (w === 'in' || w === 'repeat') return 'Line';
  if (HEADER_WORDS.has(w) && m[2] !== '=') return 'Header';
  if (w === 'expect') return 'Expect';
  if (PLAIN_WORDS.has(w) && m[2] !== '=') return 'PlainLine';
  return 'Action_call';
}

export interface LineMatch {
  match: MatchResult;
  rule: StartRule;
  code: string;
}

/** Match through the narrowest start rule; falls back to `Line` when it fails. */
export function matchLineFast(code: string): LineMatch {
  const rule = startRule(code);
  if (rule !== 'Line') {
    const match = grammar.match(code, rule);
    if (match.succeeded()) return { match, rule, code };
  }
  return { match: grammar.match(code, 'Line'), rule: 'Line', code };
}

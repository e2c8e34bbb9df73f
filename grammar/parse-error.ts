// A line that does not parse, explained in the language's words (SPEC.md §4):
// an unknown statement keyword gets a did-you-mean, C habits (`|` between
// flags, `fork()`, `16 kB`) get the mls spelling, and any other failure names
// the statement's usage. ohm's expected-token list stays in a note.
import type { FailedMatchResult } from 'ohm-js';
import type { Span } from './ast.js';
import { didYouMean, type Diagnostics } from './diagnostics.js';
import { UNITS } from './numbers.js';

/** Every statement and header keyword with its usage line (SPEC.md §2–§3). */
export const USAGE: Readonly<Record<string, string>> = {
  scenario: 'scenario "<name>"',
  about: 'about "<text>"',
  tags: 'tags <word>…',
  kernel: 'kernel <profile>… | kernel <op> <version>',
  requires: 'requires <requirement or name=value>…',
  image: 'image default|empty',
  max_map_count: 'max_map_count <n>',
  in: 'in <process>: <statement>  |  in <process> {',
  expect: 'expect [<region>] <field> <op> <value>, …',
  mmap: '[<name> =] mmap <len> <prot> private|shared|droppable [anon | file <f>] [offset <n>] <flag>…',
  mremap: '[<name> =] mremap <addr> [<old len>] -> <new len> [maymove] [dontunmap] [fixed <addr>]',
  memfd_secret: '[<name> =] memfd_secret <len> <prot>',
  fork: '<name> = fork',
  shmat: '[<name> =] shmat <segment> [at <addr>] [rdonly] [rnd] [remap] [exec]',
  file: 'file <name> <size> [on disk|tmpfs|shm|hugetlbfs]',
  unlink: 'unlink <file>',
  truncate: 'truncate <file> <size>',
  fsync: 'fsync <file>',
  fdatasync: 'fdatasync <file>',
  fadvise: 'fadvise <file> dontneed',
  munmap: 'munmap <addr> [<len>]',
  mlock: 'mlock <addr> [<len>]  |  mlock every mapping',
  munlock: 'munlock <addr> [<len>]  |  munlock every mapping',
  mpin: 'mpin <addr> [<len>]',
  munpin: 'munpin <addr> [<len>]',
  pin: 'pin <addr> [<len>]',
  unpin: 'unpin <addr> [<len>]',
  mprotect: 'mprotect <addr> [<len>] <prot>  |  mprotect <addr> [<len>] prot <n>',
  mlock2: 'mlock2 <addr> [<len>] [onfault]  |  mlock2 <addr> [<len>] flags <n>  |  mlock2 every mapping [onfault]',
  mlockall: 'mlockall [current] [future] [onfault]  |  mlockall flags <n>',
  munlockall: 'munlockall',
  madvise: 'madvise <addr> [<len>] <advice>  |  madvise <addr> [<len>] advice <n>',
  msync: 'msync <addr> [<len>] [async] [sync] [invalidate]  |  msync <addr> [<len>] flags <n>',
  brk: 'brk <delta>',
  setrlimit: 'setrlimit memlock|as|data|stack <soft>|unlimited|keep [hard <hard>]',
  cap: 'cap drop|raise ipc_lock|sys_resource',
  user: 'user nobody|root|<uid> [keep ipc_lock|sys_resource…]',
  access: 'access <addr> [<len>] random <count> seed <n> read|write',
  read: 'read <addr> [<len>]',
  write: 'write <addr> [<len>] [value <byte>]',
  grow_stack: 'grow_stack <len>',
  shmget: 'shmget <segment> <size>',
  shmdt: 'shmdt <addr>',
  shmctl: 'shmctl <segment> lock|unlock|rmid',
  exec: 'exec',
  exit: 'exit',
};
const KEYWORDS = Object.keys(USAGE);
/** Keywords that may follow `<name> =`. */
const BINDABLE = new Set(['mmap', 'mremap', 'memfd_secret', 'fork', 'shmat']);

const at = (line: number, column: number, length: number): Span => ({ line, column, endColumn: column + length });

/** `in kid: mlock buf` → the statement part and its column offset. */
function statementPart(code: string): { text: string; offset: number } {
  const m = /^(\s*in\s+[A-Za-z_]\w*\s*:\s*)/.exec(code);
  return m ? { text: code.slice(m[1]!.length), offset: m[1]!.length } : { text: code, offset: 0 };
}

/**
 * The keyword of a statement line and where it starts: the first word, or the
 * word after `<name> =`. Undefined for lines that do not start with a word.
 */
function keywordOf(code: string): { word: string; column: number; bound: boolean } | undefined {
  const { text, offset } = statementPart(code);
  const bind = /^(\s*[A-Za-z_]\w*\s*=\s*)([A-Za-z_]\w*)/.exec(text);
  if (bind && !text.slice(bind[1]!.length - 1).startsWith('=>')) return { word: bind[2]!, column: offset + bind[1]!.length + 1, bound: true };
  const first = /^(\s*)([A-Za-z_]\w*)/.exec(text);
  return first ? { word: first[2]!, column: offset + first[1]!.length + 1, bound: false } : undefined;
}

/** The name a line binds (`x = …`), declares (`file f`, `shmget seg`) or forks, even when it does not parse. */
export function namesOfBadLine(code: string): string[] {
  const { text } = statementPart(code);
  const bind = /^\s*([A-Za-z_]\w*)\s*=(?![=>])/.exec(text);
  if (bind) return [bind[1]!];
  const decl = /^\s*(?:file|shmget)\s+([A-Za-z_]\w*)/.exec(text);
  return decl ? [decl[1]!] : [];
}

export function reportParseError(d: Diagnostics, match: FailedMatchResult, code: string, lineNo: number): void {
  const pos = match.getRightmostFailurePosition();
  const expected = match.getExpectedText();
  const rest = code.slice(pos);
  const tok = /^[A-Za-z0-9_]+|^\S/.exec(rest)?.[0];
  const notes = [`the parser expected one of: ${expected}`];
  const kw = keywordOf(code);
  if (kw && !(kw.word in USAGE)) {
    const best = didYouMean(kw.word, kw.bound ? [...BINDABLE] : KEYWORDS);
    d.error('mls/unknown-statement', `unknown statement \`${kw.word}\`${best ? `, did you mean \`${best}\`?` : ''}`, at(lineNo, kw.column, kw.word.length), {
      ...(best ? { suggestion: best } : {}),
      notes: [
        ...(best ? [`usage: ${USAGE[best]}`] : []),
        kw.bound ? `after \`<name> =\` comes one of: ${[...BINDABLE].join(', ')}` : `statements: ${KEYWORDS.join(' ')}`,
      ],
    });
    return;
  }
  const usage = kw && USAGE[kw.word] !== undefined ? [`usage: ${USAGE[kw.word]}`] : [];
  const bar = /[ \t]*\|[ \t]*/.exec(code);
  if (bar && !/\bexpect\b/.test(code.slice(0, bar.index))) {
    const fixed = code.replace(/[ \t]*\|[ \t]*/g, ' ').trim();
    d.error('mls/parse', 'flags are separated by spaces, not `|`', at(lineNo, bar.index + 1, bar[0].length), { notes: [`write \`${fixed}\``, ...usage] });
    return;
  }
  if (kw && (tok === '(' || tok === ',')) {
    const what = tok === '(' ? 'a statement takes no parentheses' : 'arguments are separated by spaces, not commas';
    d.error('mls/parse', `${what}: write the arguments after the keyword`, at(lineNo, pos + 1, 1), { notes: [...usage, ...notes] });
    return;
  }
  const spacedUnit = /(\d[0-9A-Za-z]*)[ \t]+([A-Za-z]+)$/.exec(code.slice(0, pos + (tok?.length ?? 0)));
  if (tok !== undefined && spacedUnit && (tok in UNITS || tok.toLowerCase() === 'kb')) {
    const unit = tok in UNITS ? tok : 'K';
    d.error('mls/parse', `a size unit is written right after its number: \`…${spacedUnit[1]}${unit}\``, at(lineNo, pos + 1, tok.length), {
      suggestion: unit,
      notes: [`units: ${Object.keys(UNITS).join(' ')}`, ...usage],
    });
    return;
  }
  const found = tok === undefined ? 'end of line' : `"${tok}"`;
  const head = kw && USAGE[kw.word] !== undefined ? `\`${kw.word}\`: unexpected ${found}` : `unexpected ${found}`;
  d.error('mls/parse', head, at(lineNo, pos + 1, tok?.length ?? 0), {
    notes: [...usage, ...notes, 'SPEC.md Part I §2–§3 lists every statement'],
  });
}

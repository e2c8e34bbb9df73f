// Typed AST of one .mls file, produced by to-ast.ts from ohm's CST. Every node
// carries its source span so checks and lowering can point at the exact text.

/** 1-based line and column; endColumn is exclusive. Statements never span lines. */
export interface Span {
  line: number;
  column: number;
  endColumn: number;
}

export interface Word {
  text: string;
  span: Span;
}

/** A number literal as written: `16p`, `0x1000`, `4KiB`. */
export interface NumLit {
  kind: 'num';
  digits: string;
  base: 10 | 16 | 2;
  unit?: Word;
  span: Span;
}
export interface ConstAtom {
  kind: 'const';
  name: 'SIZE_MAX' | 'TOP' | 'NULL';
  span: Span;
}
export interface RegionAtom {
  kind: 'region';
  name: string;
  end: boolean;
  span: Span;
}
/** `random(lo..hi)`: drawn per iteration of the enclosing `repeat` (grammar/repeat.ts). */
export interface RandomAtom {
  kind: 'random';
  lo: Expr;
  hi: Expr;
  span: Span;
}
export type Atom = NumLit | ConstAtom | RegionAtom | RandomAtom;

export interface Term {
  sign: '+' | '-';
  /** The sign was written (`-1`, `+8p`, or a binary operator). */
  explicit: boolean;
  atom: Atom;
  span: Span;
}

/** A sum of terms; `text` is the source text (used by the formatter). */
export interface Expr {
  terms: Term[];
  text: string;
  span: Span;
}

export interface VersionSel {
  kind: 'version';
  op: '<' | '<=' | '==' | '>=' | '>' | '!=';
  version: string;
  span: Span;
}
export interface ProfileSel {
  kind: 'profile';
  name: string;
  span: Span;
}
/** A machine setting: `zero_page=off` (in `requires` and in `on` selectors). */
export interface SettingSel {
  kind: 'setting';
  name: string;
  value: string;
  span: Span;
}
/** `on A and B`: every term must hold (only in value and result cases). */
export interface AllSel {
  kind: 'all';
  terms: Array<VersionSel | ProfileSel | SettingSel>;
  span: Span;
}
export type Selector = VersionSel | ProfileSel | SettingSel | AllSel;

export type ResultValueAst = { kind: 'num'; expr: Expr; span: Span } | { kind: 'word'; word: Word; span: Span };
export interface ResultCaseAst {
  value: ResultValueAst;
  /** Further acceptable values: `=> EINVAL or ENOMEM`. */
  or: ResultValueAst[];
  when?: Selector;
  span: Span;
}
export interface ResultAst {
  cases: ResultCaseAst[];
  span: Span;
}

export interface LayoutVmaAst {
  start: Expr;
  end: Expr;
  prot: Word;
  flags: Word[];
  span: Span;
}
export type ValueAst =
  | { kind: 'layout'; vmas: LayoutVmaAst[]; span: Span }
  | { kind: 'map'; text: string; span: Span }
  | { kind: 'num'; expr: Expr; span: Span }
  | { kind: 'words'; words: Word[]; span: Span }
  /** `before + 1p`: a `let` name plus an offset (the terms after the name). */
  | { kind: 'captured'; name: Word; offset: Expr; span: Span };
export interface ValueCaseAst {
  /** The comparison on the selected profiles, when it differs from the clause's (`has lo, lacks lo on posix-mlock`). */
  op?: Word;
  value: ValueAst;
  when?: Selector;
  span: Span;
}
export interface ClauseAst {
  region?: Word;
  field: Word;
  op?: Word;
  /** Absent: a placeholder that `mls record` fills in. */
  values?: ValueCaseAst[];
  span: Span;
}

export type RlimValAst = { kind: 'unlimited' | 'keep'; span: Span } | { kind: 'bytes'; expr: Expr; span: Span };

export interface Range {
  addr: Expr;
  len?: Expr;
}

export type MmapArgAst =
  | { kind: 'fixed' | 'fixed_noreplace' | 'at'; addr: Expr; span: Span }
  | { kind: 'flags' | 'offset'; expr: Expr; span: Span }
  | { kind: 'file'; name: Word; span: Span }
  | { kind: 'word'; word: Word; span: Span };

/** A call: everything that may carry `=> result`. */
export type CallAst =
  | { op: 'mmap'; bind?: Word; len: Expr; prot: Word; share: Word; args: MmapArgAst[] }
  | { op: 'mremap'; bind?: Word; addr: Expr; oldLen?: Expr; newLen: Expr; args: MmapArgAst[] }
  | { op: 'memfd_secret'; bind?: Word; len: Expr; prot: Word }
  | { op: 'fork'; bind?: Word }
  | { op: 'file'; file: Word; size: Expr; fs?: Word }
  | { op: 'truncate'; file: Word; size: Expr }
  | { op: 'unlink'; file: Word }
  | { op: 'fsync' | 'fdatasync'; file: Word }
  | { op: 'fadvise'; file: Word; advice: Word }
  | { op: 'munmap' | 'mlock' | 'munlock' | 'mpin' | 'munpin' | 'pin' | 'unpin'; range: Range }
  | { op: 'mprotect'; range: Range; prot?: Word; rawProt?: Expr }
  | { op: 'mlock2'; range: Range; words: Word[]; raw?: Expr }
  | { op: 'mlockall'; words: Word[]; raw?: Expr }
  | { op: 'munlockall' | 'exec' | 'exit' }
  | { op: 'madvise'; range: Range; advice?: Word; raw?: Expr }
  | { op: 'msync'; range: Range; words: Word[]; raw?: Expr }
  | { op: 'brk'; delta: Expr }
  | { op: 'setrlimit'; resource: Word; soft: RlimValAst; hard?: RlimValAst }
  | { op: 'cap'; action: Word; cap: Word }
  | { op: 'user'; who: Word | Expr; keep?: Word[] }
  | { op: 'every_mapping'; call: 'mlock' | 'munlock' | 'mlock2'; words: Word[] }
  | { op: 'access'; range: Range; count: Expr; seed: Expr; mode: Word }
  | { op: 'read'; range: Range }
  | { op: 'write'; range: Range; value?: Expr }
  | { op: 'grow_stack'; len: Expr }
  | { op: 'shmget'; segment: Word; size: Expr }
  | { op: 'shmat'; bind?: Word; segment: Word; args: ShmatArgAst[] }
  | { op: 'shmdt'; addr: Expr }
  | { op: 'shmctl'; segment: Word; cmd: Word };

export type ShmatArgAst = { kind: 'at'; addr: Expr; span: Span } | { kind: 'word'; word: Word; span: Span };

export type CallOp = CallAst['op'];

export interface CallStmt {
  kind: 'call';
  call: CallAst;
  /** The head keyword (`mlock`, `mmap` …), for diagnostics that point at the call. */
  head: Span;
  result?: ResultAst;
  span: Span;
}
export interface ExpectStmt {
  kind: 'expect';
  clauses: ClauseAst[];
  span: Span;
}
/** `let name = [region] field`. */
export interface LetStmt {
  kind: 'let';
  name: Word;
  region?: Word;
  field: Word;
  span: Span;
}
export type ActionAst = CallStmt | ExpectStmt | LetStmt;

export type HeaderAst =
  | { kind: 'scenario' | 'about'; text: string; span: Span }
  | { kind: 'tags'; words: Word[]; span: Span }
  | { kind: 'only'; span: Span }
  | { kind: 'skip' | 'todo'; text?: string; span: Span }
  | { kind: 'requires'; words: Word[]; settings: SettingSel[]; span: Span }
  | { kind: 'kernel'; selectors: Selector[]; span: Span }
  | { kind: 'image'; word: Word; span: Span }
  | { kind: 'max_map_count'; expr: Expr; span: Span };

/** One statement of the file; `proc` is set by `in x:` or by the enclosing block. */
export interface Statement {
  action: ActionAst;
  proc?: Word;
  /** The `repeat` block the statement is in (one object per block). */
  repeat?: RepeatAst;
}

/** `repeat <count> seed <seed> {`: its body is lowered count times (grammar/repeat.ts). */
export interface RepeatAst {
  count: Expr;
  seed: Expr;
  span: Span;
}

/** What one source line holds after parsing. */
export type LineAst =
  | { kind: 'blank' }
  | { kind: 'open'; proc: Word; span: Span }
  | { kind: 'repeat'; count: Expr; seed: Expr; span: Span }
  | { kind: 'close'; span: Span }
  | { kind: 'header'; header: HeaderAst }
  | { kind: 'stmt'; stmt: Statement };

/**
 * Where a shared AST's digit-bearing strings are (grammar/line-shape.ts): a tree
 * over the AST whose leaves are [offset, offset + length) of the line's code.
 */
export type NumberPlan = { offset: number; length: number } | Map<string | number, NumberPlan>;

/** A statement of the file: its line's shared AST (spans on line 0), where it is, and its block. */
export interface StatementRef {
  line: number;
  shared: Statement;
  /** `shared` is its shape's AST (line-shape.ts): this line's numbers are read from `code` when it is used. */
  numbers?: { plan: NumberPlan; code: string };
  /** The process of the enclosing `in <proc> {` block (the statement names none itself). */
  proc?: Word;
  /** The `repeat` block the statement is in (one object per block). */
  repeat?: RepeatAst;
}

export interface FileAst {
  file: string;
  headers: HeaderAst[];
  /** In file order; restamp.ts's statementOf gives each statement at its line. */
  statements: StatementRef[];
  /** Source lines (without line terminators), for diagnostics. */
  lines: string[];
}

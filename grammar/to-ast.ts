// The `toAst` semantics operation: ohm CST of one line → typed AST (ast.ts).
// ohm operation results are `any`, so every use goes through a typed wrapper.
import type { MatchResult, Node, NonterminalNode, IterationNode } from 'ohm-js';
import grammar from './mls.ohm-bundle.js';
import type { MlsActionDict } from './mls.ohm-bundle.js';
import type * as A from './ast.js';
import type { LineMatch } from './match-line.js';

/** Line number of the line being converted (ohm operations cannot take it otherwise without threading args). */
let currentLine = 1;

/**
 * The code's extent without leading/trailing blanks. A start rule's root node
 * covers the whole input, blanks included; below `Line` the same node would
 * not, so spans are clamped to it (a no-op for every node but a root).
 */
let codeStart = 0;
let codeEnd = Number.MAX_SAFE_INTEGER;

function span(node: Node): A.Span {
  const src = node.source;
  return { line: currentLine, column: Math.max(src.startIdx, codeStart) + 1, endColumn: Math.min(src.endIdx, codeEnd) + 1 };
}
function spanOf(first: Node, last: Node): A.Span {
  return { line: currentLine, column: Math.max(first.source.startIdx, codeStart) + 1, endColumn: Math.min(last.source.endIdx, codeEnd) + 1 };
}
function wordOf(node: Node): A.Word {
  return { text: node.sourceString, span: span(node) };
}
/** The single child of an optional (`x?`) iteration node, if present. */
function opt(node: IterationNode): Node | undefined {
  return node.children[0];
}
function list(node: Node): Node[] {
  return (node as NonterminalNode).asIteration().children;
}

const ast = (n: Node): unknown => n['toAst']();
const expr = (n: Node): A.Expr => ast(n) as A.Expr;
const sel = (n: Node): A.Selector => ast(n) as A.Selector;
const range = (n: Node): A.Range => ast(n) as A.Range;
const words = (n: IterationNode): A.Word[] => n.children.map(wordOf);
const optExpr = (n: IterationNode): A.Expr | undefined => {
  const c = opt(n);
  return c ? expr(c) : undefined;
};

function term(signNode: IterationNode | null, atomNode: Node, whole: Node): A.Term {
  const s = signNode ? opt(signNode) : undefined;
  return {
    sign: s && s.sourceString === '-' ? '-' : '+',
    explicit: s !== undefined,
    atom: ast(atomNode) as A.Atom,
    span: span(whole),
  };
}
/** A binary tail: the operator becomes the sign of the term (a - -1 keeps both). */
function tail(op: Node, t: Node): A.Term {
  const inner = ast(t) as A.Term;
  const neg = (op.sourceString === '-') !== (inner.sign === '-');
  return { ...inner, sign: neg ? '-' : '+', explicit: true };
}
function exprOf(this: NonterminalNode, first: Node, rest: IterationNode): A.Expr {
  return { terms: [ast(first) as A.Term, ...rest.children.map((c) => ast(c) as A.Term)], text: this.sourceString, span: span(this) };
}
function unescape(raw: string): string {
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Action_call and PlainLine (the same statement, reached from Line or directly). */
function callAction(whole: Node, c: Node, r: IterationNode): unknown {
  const { head, ...callAst } = ast(c) as A.CallAst & { head: A.Span };
  const res = opt(r);
  return { kind: 'call', call: callAst, head, result: res ? ast(res) : undefined, span: span(whole) };
}

function call(c: A.CallAst, head: Node): A.CallAst & { head: A.Span } {
  return { ...c, head: span(head) };
}

const actions: MlsActionDict<unknown> = {
  Line_open(_in, proc, _b) {
    return { kind: 'open', proc: wordOf(proc), span: span(this) };
  },
  Line_repeat(_r, count, _s, seed, _b) {
    return { kind: 'repeat', count: expr(count), seed: expr(seed), span: span(this) };
  },
  Line_close(_b) {
    return { kind: 'close', span: span(this) };
  },
  Line_header: (h) => ({ kind: 'header', header: ast(h) }),
  Line_in: (_in, proc, _c, action) => ({ kind: 'stmt', stmt: { action: ast(action), proc: wordOf(proc) } }),
  Line_action: (action) => ({ kind: 'stmt', stmt: { action: ast(action) } }),
  Line_blank: () => ({ kind: 'blank' }),

  Header_scenario(_k, s) {
    return { kind: 'scenario', text: unescape(s.sourceString), span: span(this) };
  },
  Header_about(_k, s) {
    return { kind: 'about', text: unescape(s.sourceString), span: span(this) };
  },
  Header_only(_k) {
    return { kind: 'only', span: span(this) };
  },
  Header_skip(_k, s) {
    return { kind: 'skip', ...(s.numChildren > 0 ? { text: unescape(s.sourceString) } : {}), span: span(this) };
  },
  Header_todo(_k, s) {
    return { kind: 'todo', ...(s.numChildren > 0 ? { text: unescape(s.sourceString) } : {}), span: span(this) };
  },
  Header_tags(_k, t) {
    return { kind: 'tags', words: words(t), span: span(this) };
  },
  Header_kernel(_k, s) {
    return { kind: 'kernel', selectors: s.children.map(sel), span: span(this) };
  },
  Header_requires(_k, reqs) {
    const items = reqs.children.map(ast) as Array<A.Word | A.SettingSel>;
    const settings = items.filter((x): x is A.SettingSel => 'kind' in x && x.kind === 'setting');
    return { kind: 'requires', words: items.filter((x): x is A.Word => !('kind' in x)), settings, span: span(this) };
  },
  Requirement_setting: (s) => ast(s),
  Requirement_word: (w) => wordOf(w),
  KernelSel_setting: (s) => ast(s),
  setting(name, _eq, value) {
    return { kind: 'setting', name: name.sourceString, value: value.sourceString, span: span(this) };
  },
  Header_image(_k, w) {
    return { kind: 'image', word: wordOf(w), span: span(this) };
  },
  Header_maxMapCount(_k, e) {
    return { kind: 'max_map_count', expr: expr(e), span: span(this) };
  },
  KernelSel_version(op, v) {
    return { kind: 'version', op: op.sourceString, version: v.sourceString, span: span(this) };
  },
  KernelSel_profile(p) {
    return { kind: 'profile', name: p.sourceString, span: span(this) };
  },

  Action_expect: (e) => ast(e),
  Action_let: (l) => ast(l),
  Let(_k, name, _eq, a, b) {
    const second = opt(b);
    return second
      ? { kind: 'let', name: wordOf(name), region: wordOf(a), field: wordOf(second), span: span(this) }
      : { kind: 'let', name: wordOf(name), field: wordOf(a), span: span(this) };
  },
  Action_call(c, r) {
    return callAction(this, c, r);
  },
  PlainLine(p, r) {
    return callAction(this, p, r);
  },
  Call_bindable(b, body) {
    const bind = opt(b);
    const c = ast(body) as A.CallAst & { head: A.Span };
    return bind ? { ...c, bind: wordOf(bind.child(0)) } : c;
  },
  Call_plain: (p) => ast(p),

  Bindable_mmap(k, len, prot, share, args) {
    return call({ op: 'mmap', len: expr(len), prot: wordOf(prot), share: wordOf(share), args: args.children.map((a) => ast(a) as A.MmapArgAst) }, k);
  },
  Bindable_mremap(k, addr, oldLen, _arrow, newLen, args) {
    return call({ op: 'mremap', addr: expr(addr), oldLen: optExpr(oldLen), newLen: expr(newLen), args: args.children.map((a) => ast(a) as A.MmapArgAst) }, k);
  },
  Bindable_memfdSecret(k, len, prot) {
    return call({ op: 'memfd_secret', len: expr(len), prot: wordOf(prot) }, k);
  },
  Bindable_fork(k) {
    return call({ op: 'fork' }, k);
  },
  Bindable_shmat(k, seg, args) {
    return call({ op: 'shmat', segment: wordOf(seg), args: args.children.map((a) => ast(a) as A.ShmatArgAst) }, k);
  },
  ShmatArg_at(_k, a) {
    return { kind: 'at', addr: expr(a), span: span(this) };
  },
  ShmatArg_word(w) {
    return { kind: 'word', word: wordOf(w), span: span(this) };
  },
  MmapArg_fixedNoreplace(_k, a) {
    return { kind: 'fixed_noreplace', addr: expr(a), span: span(this) };
  },
  MmapArg_fixed(_k, a) {
    return { kind: 'fixed', addr: expr(a), span: span(this) };
  },
  MmapArg_at(_k, a) {
    return { kind: 'at', addr: expr(a), span: span(this) };
  },
  MmapArg_flags(_k, e) {
    return { kind: 'flags', expr: expr(e), span: span(this) };
  },
  MmapArg_file(_k, f) {
    return { kind: 'file', name: wordOf(f), span: span(this) };
  },
  MmapArg_offset(_k, e) {
    return { kind: 'offset', expr: expr(e), span: span(this) };
  },
  MmapArg_word(w) {
    return { kind: 'word', word: wordOf(w), span: span(this) };
  },
  MremapArg_fixed(_k, a) {
    return { kind: 'fixed', addr: expr(a), span: span(this) };
  },
  MremapArg_flags(_k, e) {
    return { kind: 'flags', expr: expr(e), span: span(this) };
  },
  MremapArg_word(w) {
    return { kind: 'word', word: wordOf(w), span: span(this) };
  },

  Plain_fileOn(x) {
    return ast(x);
  },
  FileOn(k, f, size, _on, fs) {
    return call({ op: 'file', file: wordOf(f), size: expr(size), fs: wordOf(fs) }, k);
  },
  Plain_unlink(k, f) {
    return call({ op: 'unlink', file: wordOf(f) }, k);
  },
  Plain_file(k, f, size) {
    return call({ op: 'file', file: wordOf(f), size: expr(size) }, k);
  },
  Plain_truncate(k, f, size) {
    return call({ op: 'truncate', file: wordOf(f), size: expr(size) }, k);
  },
  Plain_fsync(k, f) {
    return call({ op: 'fsync', file: wordOf(f) }, k);
  },
  Plain_fdatasync(k, f) {
    return call({ op: 'fdatasync', file: wordOf(f) }, k);
  },
  Plain_fadvise(k, f, advice) {
    return call({ op: 'fadvise', file: wordOf(f), advice: wordOf(advice) }, k);
  },
  Plain_every(k, _e, _m, w) {
    return call({ op: 'every_mapping', call: k.sourceString as 'mlock' | 'munlock' | 'mlock2', words: words(w) }, k);
  },
  Plain_range(k, r) {
    const op = k.sourceString as 'munmap' | 'mlock' | 'munlock' | 'mpin' | 'munpin' | 'pin' | 'unpin';
    return call({ op, range: range(r) }, k);
  },
  Plain_mprotectRaw(k, r, _p, raw) {
    return call({ op: 'mprotect', range: range(r), rawProt: expr(raw) }, k);
  },
  Plain_mprotect(k, r, prot) {
    return call({ op: 'mprotect', range: range(r), prot: wordOf(prot) }, k);
  },
  Plain_mlock2Raw(k, r, _f, raw) {
    return call({ op: 'mlock2', range: range(r), words: [], raw: expr(raw) }, k);
  },
  Plain_mlock2(k, r, w) {
    return call({ op: 'mlock2', range: range(r), words: words(w) }, k);
  },
  Plain_mlockallRaw(k, _f, raw) {
    return call({ op: 'mlockall', words: [], raw: expr(raw) }, k);
  },
  Plain_mlockall(k, w) {
    return call({ op: 'mlockall', words: words(w) }, k);
  },
  Plain_munlockall(k) {
    return call({ op: 'munlockall' }, k);
  },
  Plain_madviseRaw(k, r, _a, raw) {
    return call({ op: 'madvise', range: range(r), raw: expr(raw) }, k);
  },
  Plain_madvise(k, r, w) {
    return call({ op: 'madvise', range: range(r), advice: wordOf(w) }, k);
  },
  Plain_msyncRaw(k, r, _f, raw) {
    return call({ op: 'msync', range: range(r), words: [], raw: expr(raw) }, k);
  },
  Plain_msync(k, r, w) {
    return call({ op: 'msync', range: range(r), words: words(w) }, k);
  },
  Plain_brk(k, e) {
    return call({ op: 'brk', delta: expr(e) }, k);
  },
  Plain_setrlimit(k, res, soft, _h, hard) {
    const h = opt(hard);
    return call({ op: 'setrlimit', resource: wordOf(res), soft: ast(soft) as A.RlimValAst, hard: h ? (ast(h) as A.RlimValAst) : undefined }, k);
  },
  Plain_cap(k, action, cap) {
    return call({ op: 'cap', action: wordOf(action), cap: wordOf(cap) }, k);
  },
  Plain_user(k, who, _keep, caps) {
    const keep = caps.children.length ? words(caps.children[0] as IterationNode) : undefined;
    return call({ op: 'user', who: ast(who) as A.Word | A.Expr, keep }, k);
  },
  UserId_num(e) {
    return expr(e);
  },
  UserId_name(w) {
    return wordOf(w);
  },
  Plain_random(k, r, _r, count, _s, seed, mode) {
    return call({ op: 'access', range: range(r), count: expr(count), seed: expr(seed), mode: wordOf(mode) }, k);
  },
  Plain_read(k, r) {
    return call({ op: 'read', range: range(r) }, k);
  },
  Plain_write(k, r, _v, value) {
    return call({ op: 'write', range: range(r), value: optExpr(value) }, k);
  },
  Plain_shmget(k, seg, size) {
    return call({ op: 'shmget', segment: wordOf(seg), size: expr(size) }, k);
  },
  Plain_shmdt(k, a) {
    return call({ op: 'shmdt', addr: expr(a) }, k);
  },
  Plain_shmctl(k, seg, cmd) {
    return call({ op: 'shmctl', segment: wordOf(seg), cmd: wordOf(cmd) }, k);
  },
  Plain_growStack(k, e) {
    return call({ op: 'grow_stack', len: expr(e) }, k);
  },
  Plain_exec(k) {
    return call({ op: 'exec' }, k);
  },
  Plain_exit(k) {
    return call({ op: 'exit' }, k);
  },
  Range: (addr, len) => ({ addr: expr(addr), len: optExpr(len) }),
  RlimVal_unlimited(_k) {
    return { kind: 'unlimited', span: span(this) };
  },
  RlimVal_keep(_k) {
    return { kind: 'keep', span: span(this) };
  },
  RlimVal_bytes(e) {
    return { kind: 'bytes', expr: expr(e), span: span(this) };
  },

  Result(_arrow, cases) {
    return { cases: list(cases).map(ast), span: span(this) };
  },
  ResultCase(v, _or, alts, s) {
    const w = opt(s);
    return { value: ast(v), or: alts.children.map(ast), when: w ? sel(w) : undefined, span: span(this) };
  },
  ResultValue_num(e) {
    return { kind: 'num', expr: expr(e), span: span(this) };
  },
  ResultValue_word(w) {
    return { kind: 'word', word: wordOf(w), span: span(this) };
  },
  Selector(_on, list) {
    const terms = (list as NonterminalNode).asIteration().children.map(sel) as A.AllSel['terms'];
    return terms.length === 1 ? terms[0]! : { kind: 'all', terms, span: span(this) };
  },

  Expect(_k, clauses) {
    return { kind: 'expect', clauses: list(clauses).map(ast), span: span(this) };
  },
  Clause_regionField(region, field, op, values) {
    return { region: wordOf(region), field: wordOf(field), op: wordOf(op), values: ast(values), span: span(this) };
  },
  Clause_field(field, op, values) {
    return { field: wordOf(field), op: wordOf(op), values: ast(values), span: span(this) };
  },
  Clause_regionPlaceholder(region, field) {
    return { region: wordOf(region), field: wordOf(field), span: span(this) };
  },
  Clause_placeholder(field) {
    return { field: wordOf(field), span: span(this) };
  },
  ValueList(first, rest) {
    return [{ value: ast(first), span: span(first) }, ...rest.children.map(ast)];
  },
  ValueCase(_c, op, v, s) {
    const o = opt(op);
    return { ...(o ? { op: wordOf(o) } : {}), value: ast(v), when: sel(s), span: spanOf(v, s) };
  },
  Value_layout(vmas) {
    return { kind: 'layout', vmas: list(vmas).map(ast), span: span(this) };
  },
  Value_map(s) {
    return { kind: 'map', text: unescape(s.sourceString), span: span(this) };
  },
  Value_num(e) {
    return { kind: 'num', expr: expr(e), span: span(this) };
  },
  Value_captured(name, tails) {
    const terms = tails.children.map((c) => ast(c) as A.Term);
    const first = tails.children[0]!;
    const offset: A.Expr = { terms, text: this.sourceString.slice(first.source.startIdx - this.source.startIdx).trim(), span: spanOf(first, tails.children[tails.children.length - 1]!) };
    return { kind: 'captured', name: wordOf(name), offset, span: span(this) };
  },
  Value_words(w) {
    return { kind: 'words', words: words(w), span: span(this) };
  },
  // `on` is also the per-profile keyword; as a value (mcl_future == on) it is
  // the last word of its case, so no profile selector follows it.
  Value_on(w) {
    return { kind: 'words', words: [wordOf(w)], span: span(this) };
  },
  LayoutVma(_o, start, _c, end, _cl, prot, flags) {
    return { start: expr(start), end: expr(end), prot: wordOf(prot), flags: words(flags), span: span(this) };
  },

  addr: exprOf,
  cexpr: exprOf,
  aterm(sign, atom) {
    return term(sign, atom, this);
  },
  cterm(sign, atom) {
    return term(sign, atom, this);
  },
  atail_spaced: (_s1, op, _s2, t) => tail(op, t),
  atail_tight: (op, _s, t) => tail(op, t),
  ctail_spaced: (_s1, op, _s2, t) => tail(op, t),
  ctail_tight: (op, _s, t) => tail(op, t),
  aatom: (a) => ast(a),
  catom: (a) => ast(a),
  regionRef(id, end) {
    return { kind: 'region', name: id.sourceString, end: end.children.length > 0, span: span(this) };
  },
  randomAtom(_o, _s1, lo, _s2, _dots, _s3, hi, _s4, _c) {
    return { kind: 'random', lo: expr(lo), hi: expr(hi), span: span(this) };
  },
  reserved(_t) {
    return { kind: 'const', name: this.sourceString, span: span(this) };
  },
  number(numeral, unit) {
    const u = opt(unit);
    const text = numeral.sourceString;
    const base = /^0[xX]/.test(text) ? 16 : /^0[bB]/.test(text) ? 2 : 10;
    const digits = base === 10 ? text : text.slice(2);
    return { kind: 'num', digits, base, unit: u ? wordOf(u) : undefined, span: span(this) };
  },
};

const semantics = grammar.createSemantics().addOperation<unknown>('toAst', actions);

/** Convert a successful line match; `line` is its 1-based line number. */
export function lineToAst(match: MatchResult | LineMatch, line: number): A.LineAst {
  currentLine = line;
  if (!('match' in match)) return semantics(match)['toAst']() as A.LineAst;
  const code = match.code;
  codeStart = /^[ \t\r]*/.exec(code)![0].length;
  codeEnd = Math.max(codeStart, code.length - /[ \t\r]*$/.exec(code)![0].length);
  let value: unknown;
  try {
    value = semantics(match.match)['toAst']() as unknown;
  } finally {
    codeStart = 0;
    codeEnd = Number.MAX_SAFE_INTEGER;
  }
  switch (match.rule) {
    case 'Line':
      return value as A.LineAst;
    case 'Header':
      return { kind: 'header', header: value } as A.LineAst;
    default:
      return { kind: 'stmt', stmt: { action: value } } as A.LineAst;
  }
}

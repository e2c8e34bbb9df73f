// Lowering of call statements (SPEC.md §3.1–3.5) to IR steps, with their checks.
import type { Addr, Len, MmapStep, MremapStep, ResultExpect, Loc, Scenario, SetrlimitStep } from '../schema/generated/types.js';
import type { CallAst, CallStmt, Expr, RlimValAst, Span } from './ast.js';
import { address, constant, length, rangeLength, smallInt, u64, unitless, vocab } from './check.js';
import type { Diagnostics } from './diagnostics.js';
import { lookupWord, type AliasKind } from './kernel-names.js';
import * as N from './names.js';
import { toI64, UNITS } from './numbers.js';
import { lowerShm } from './lower-shm.js';
import { USAGE } from './parse-error.js';
import type { Scope } from './scope.js';

export type CallStep = Exclude<Scenario['steps'][number], { op: 'expect' }>;

export interface CallCtx {
  d: Diagnostics;
  scope: Scope;
  proc: string;
  loc: Loc;
  result: ResultExpect;
}

type Range = { addr: Addr & { bare: boolean }; len: Len };

function range(r: { addr: Expr; len?: Expr }, c: CallCtx, defaultLen?: Len): Range | undefined {
  const addr = address(r.addr, c.d, c.scope, c.proc);
  if (!addr) {
    if (r.len) length(r.len, c.d); // still report problems in the length
    return undefined;
  }
  const len = !r.len && defaultLen ? defaultLen : rangeLength(r.len, addr, r.addr.span, c.d, c.scope, c.proc);
  return len ? { addr, len } : undefined;
}
const plainAddr = (a: Addr & { bare?: boolean }): Addr => {
  const { bare: _bare, ...rest } = a;
  return rest;
};

function orFlags(words: { text: string; span: Span }[], table: Readonly<Record<string, bigint>>, c: CallCtx, what: string, alias: AliasKind): bigint | undefined {
  let v = 0n;
  let ok = true;
  for (const w of words) {
    const name = lookupWord(alias, w.text, Object.keys(table));
    const bit = name === undefined ? undefined : table[name];
    if (bit === undefined) {
      c.d.unknown('mls/unknown-flag', what, w.text, w.span, Object.keys(table));
      ok = false;
    } else v |= bit;
  }
  return ok ? v : undefined;
}

function prot(w: { text: string; span: Span }, c: CallCtx): string | undefined {
  const p = N.protFromWord(lookupWord('prot', w.text, ['r', 'w', 'x', 'none']) ?? w.text);
  if (p === undefined) c.d.error('mls/bad-value', `"${w.text}" is not a protection: write none, or r, w, x in that order (r, rw, rx, rwx …)`, w.span);
  return p;
}

/**
 * `mmap 16 kB rw …`: the tool prints sizes as `8p (32 kB)`, so a unit after a space is a natural guess;
 * it parses (the unit lands where the protection goes), so say what was meant instead of three
 * follow-on errors (issue 16 finding 1; the parse-time twin is in parse-error.ts).
 */
function spacedUnit(len: Expr, w: { text: string; span: Span }, c: CallCtx): boolean {
  const a = len.terms.length === 1 ? len.terms[0]!.atom : undefined;
  if (a?.kind !== 'num' || a.unit || !(w.text in UNITS || w.text.toLowerCase() === 'kb')) return false;
  const unit = w.text in UNITS ? w.text : 'K';
  c.d.error('mls/parse', `a size unit is written right after its number: \`${len.text}${unit}\``, w.span, {
    suggestion: unit,
    notes: [`units: ${Object.keys(UNITS).join(' ')}`, `usage: ${USAGE.mmap}`],
  });
  return true;
}

function mmap(a: Extract<CallAst, { op: 'mmap' }>, c: CallCtx): MmapStep | undefined {
  if (spacedUnit(a.len, a.prot, c)) return undefined;
  const len = length(a.len, c.d);
  const p = prot(a.prot, c);
  const share = vocab(a.share, N.SHARES, c.d, 'mls/bad-value', 'sharing type', 'share');
  const flags = new Set<N.MmapFlag>();
  let at: Addr | undefined;
  let atSpan: Span | undefined;
  let rawFlags: bigint | undefined;
  let file: string | undefined;
  let anon = false;
  let offset: bigint | undefined;
  let ok = len !== undefined && p !== undefined && share !== undefined;
  for (const arg of a.args) {
    switch (arg.kind) {
      case 'fixed':
      case 'fixed_noreplace':
      case 'at': {
        if (atSpan) {
          c.d.error('mls/bad-value', 'only one of `fixed`, `fixed_noreplace` and `at` may give an address', arg.span);
          ok = false;
        }
        atSpan = arg.span;
        const addr = address(arg.addr, c.d, c.scope, c.proc);
        if (!addr) ok = false;
        else at = plainAddr(addr);
        if (arg.kind !== 'at') flags.add(arg.kind);
        break;
      }
      case 'flags': {
        const v = u64(arg.expr, c.d);
        if (v === undefined) ok = false;
        else rawFlags = (rawFlags ?? 0n) | v;
        break;
      }
      case 'offset': {
        const v = u64(arg.expr, c.d);
        if (v === undefined) ok = false;
        else offset = v;
        break;
      }
      case 'file':
        if (!c.scope.files.has(arg.name.text)) {
          c.d.unknown('mls/unknown-file', 'file', arg.name.text, arg.name.span, [...c.scope.files]);
          ok = false;
        }
        file = arg.name.text;
        break;
      case 'word': {
        const w = lookupWord('mmapFlag', arg.word.text, [...N.MMAP_FLAG_WORDS, 'anon', 'fixed', 'fixed_noreplace']) ?? arg.word.text;
        if (w === 'anon') anon = true;
        else if (w === 'fixed' || w === 'fixed_noreplace' || w === 'at') {
          c.d.error('mls/bad-value', `\`${w}\` needs an address, e.g. \`${w} buf + 4p\``, arg.word.span);
          ok = false;
        } else if ((N.MMAP_FLAG_WORDS as readonly string[]).includes(w)) flags.add(w as N.MmapFlag);
        else {
          c.d.unknown('mls/unknown-flag', 'mmap flag', w, arg.word.span, [...N.MMAP_FLAG_WORDS, 'anon', 'fixed', 'fixed_noreplace', 'at', 'flags', 'file', 'offset']);
          ok = false;
        }
      }
    }
  }
  if (anon && file !== undefined) {
    c.d.error('mls/bad-value', 'a mapping is either `anon` or `file <name>`, not both', a.share.span);
    ok = false;
  }
  if (!ok) return undefined;
  const step: MmapStep = {
    op: 'mmap',
    loc: c.loc,
    proc: c.proc,
    len: { bytes: len!.toString() },
    prot: p!,
    share: share!,
    flags: N.MMAP_FLAG_ORDER.filter((f) => flags.has(f)),
    result: c.result,
  };
  if (a.bind) step.bind = a.bind.text;
  if (file !== undefined) step.file = file;
  if (offset !== undefined) step.offset = offset.toString();
  if (at) step.at = at;
  if (rawFlags !== undefined) step.rawFlags = rawFlags.toString();
  return step;
}

function mremap(a: Extract<CallAst, { op: 'mremap' }>, c: CallCtx): MremapStep | undefined {
  const r = range({ addr: a.addr, len: a.oldLen }, c);
  const newLen = length(a.newLen, c.d);
  const flags = new Set<string>();
  let to: Addr | undefined;
  let rawFlags: bigint | undefined;
  let ok = r !== undefined && newLen !== undefined;
  for (const arg of a.args) {
    if (arg.kind === 'fixed') {
      const addr = address(arg.addr, c.d, c.scope, c.proc);
      if (addr) to = plainAddr(addr);
      else ok = false;
      flags.add('fixed');
    } else if (arg.kind === 'flags') {
      const v = u64(arg.expr, c.d);
      if (v === undefined) ok = false;
      else rawFlags = (rawFlags ?? 0n) | v;
    } else if (arg.kind === 'word' && lookupWord('mremap', arg.word.text, N.MREMAP_FLAG_WORDS)) flags.add(lookupWord('mremap', arg.word.text, N.MREMAP_FLAG_WORDS)!);
    else if (arg.kind === 'word' && lookupWord('mremap', arg.word.text, ['fixed']) === 'fixed') {
      c.d.error('mls/bad-value', '`fixed` needs an address, e.g. `fixed dst`', arg.word.span);
      ok = false;
    } else if (arg.kind === 'word') {
      c.d.unknown('mls/unknown-flag', 'mremap flag', arg.word.text, arg.word.span, [...N.MREMAP_FLAG_WORDS, 'fixed', 'flags']);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const step: MremapStep = {
    op: 'mremap',
    loc: c.loc,
    proc: c.proc,
    addr: plainAddr(r!.addr),
    oldLen: r!.len,
    newLen: { bytes: newLen!.toString() },
    flags: N.MREMAP_FLAG_ORDER.filter((f) => flags.has(f)),
    result: c.result,
  };
  if (a.bind) step.bind = a.bind.text;
  if (to) step.to = to;
  if (rawFlags !== undefined) step.rawFlags = rawFlags.toString();
  return step;
}

function rlim(v: RlimValAst, c: CallCtx): SetrlimitStep['soft'] | undefined {
  if (v.kind !== 'bytes') return v.kind;
  const n = u64(v.expr, c.d);
  if (n !== undefined) unitless(v.expr, n, c.d);
  return n?.toString();
}

/** Lower one call; undefined when it has errors (already reported). */
export function lowerCall(st: CallStmt, c: CallCtx): CallStep | undefined {
  const a = st.call;
  const base = { loc: c.loc, proc: c.proc, result: c.result };
  switch (a.op) {
    case 'mmap':
      return mmap(a, c);
    case 'mremap':
      return mremap(a, c);
    case 'memfd_secret': {
      const len = length(a.len, c.d);
      const p = prot(a.prot, c);
      if (len === undefined || p === undefined) return undefined;
      return { op: 'memfd_secret', ...base, ...(a.bind ? { bind: a.bind.text } : {}), len: { bytes: len.toString() }, prot: p };
    }
    case 'fork':
      if (!a.bind) {
        c.d.error('mls/bad-value', 'fork needs a name for the child: `kid = fork`', st.head);
        return undefined;
      }
      return { op: 'fork', ...base, child: a.bind.text };
    case 'file': {
      // SPEC.md §3.3: `on <fs>` chooses where the file lives; absent, the temp dir.
      const fs = a.fs && vocab(a.fs, N.FILE_SYSTEMS, c.d, 'mls/unknown-filesystem', 'filesystem');
      const size = length(a.size, c.d);
      if (size === undefined || (a.fs && !fs)) return undefined;
      return { op: 'file', ...base, file: a.file.text, size: size.toString(), ...(fs ? { fs } : {}) };
    }
    case 'truncate': {
      if (!c.scope.files.has(a.file.text)) {
        c.d.unknown('mls/unknown-file', 'file', a.file.text, a.file.span, [...c.scope.files]);
        return undefined;
      }
      const size = length(a.size, c.d);
      return size === undefined ? undefined : { op: a.op, ...base, file: a.file.text, size: size.toString() };
    }
    case 'unlink':
      if (!c.scope.files.has(a.file.text)) {
        c.d.unknown('mls/unknown-file', 'file', a.file.text, a.file.span, [...c.scope.files]);
        return undefined;
      }
      return { op: 'unlink', ...base, file: a.file.text };
    case 'fsync':
    case 'fdatasync':
    case 'fadvise': {
      // SPEC.md §3.3: page-cache control of a declared file; fadvise knows POSIX_FADV_DONTNEED only.
      if (!c.scope.files.has(a.file.text)) {
        c.d.unknown('mls/unknown-file', 'file', a.file.text, a.file.span, [...c.scope.files]);
        return undefined;
      }
      if (a.op !== 'fadvise') return { op: a.op, ...base, file: a.file.text };
      const advice = vocab(a.advice, ['dontneed'] as const, c.d, 'mls/unknown-flag', 'fadvise advice');
      return advice && { op: 'fadvise_dontneed', ...base, file: a.file.text };
    }
    case 'munmap':
    case 'mlock':
    case 'munlock':
    case 'mpin':
    case 'munpin':
    case 'pin':
    case 'unpin': {
      const r = range(a.range, c);
      return r && { op: a.op, ...base, addr: plainAddr(r.addr), len: r.len };
    }
    case 'mprotect': {
      const r = range(a.range, c);
      const raw = a.rawProt ? u64(a.rawProt, c.d) : undefined;
      const p = a.prot ? prot(a.prot, c) : raw !== undefined ? N.protFromBits(raw) : undefined;
      if (!r || p === undefined) return undefined;
      return { op: 'mprotect', ...base, addr: plainAddr(r.addr), len: r.len, prot: p, ...(raw !== undefined ? { rawProt: raw.toString() } : {}) };
    }
    case 'mlock2': {
      const r = range(a.range, c);
      const flags = a.raw ? u64(a.raw, c.d) : orFlags(a.words, N.MLOCK2_FLAGS, c, 'mlock2 flag', 'mlock2');
      if (!r || flags === undefined) return undefined;
      return { op: 'mlock2', ...base, addr: plainAddr(r.addr), len: r.len, flags: flags.toString() };
    }
    case 'every_mapping': {
      // SPEC §3.4: the call on [start, end) of every line of /proc/self/maps; only mlock2 takes flags.
      const flags = a.call === 'mlock2' ? orFlags(a.words, N.MLOCK2_FLAGS, c, 'mlock2 flag', 'mlock2') : orFlags(a.words, {}, c, `${a.call} flag`, 'mlock2');
      return flags === undefined ? undefined : { op: 'every_mapping', ...base, call: a.call, ...(a.call === 'mlock2' ? { flags: flags.toString() } : {}) };
    }
    case 'mlockall': {
      const flags = a.raw ? u64(a.raw, c.d) : orFlags(a.words, N.MLOCKALL_FLAGS, c, 'mlockall flag', 'mlockall');
      return flags === undefined ? undefined : { op: 'mlockall', ...base, flags: flags.toString() };
    }
    case 'munlockall':
    case 'exec':
    case 'exit':
      return { op: a.op, ...base };
    case 'madvise': {
      const r = range(a.range, c);
      let advice: number | undefined;
      let adviceName: string | undefined;
      if (a.raw) advice = smallInt(a.raw, c.d, 'advice', 0x7fffffffn);
      else if (a.advice) {
        adviceName = lookupWord('madvise', a.advice.text, Object.keys(N.ADVICE)) ?? a.advice.text.toLowerCase();
        advice = N.ADVICE[adviceName];
        if (advice === undefined) c.d.unknown('mls/unknown-flag', 'madvise advice', a.advice.text, a.advice.span, Object.keys(N.ADVICE));
      }
      if (!r || advice === undefined) return undefined;
      return { op: 'madvise', ...base, addr: plainAddr(r.addr), len: r.len, advice, ...(adviceName !== undefined ? { adviceName } : {}) };
    }
    case 'msync': {
      const r = range(a.range, c);
      const flags = a.raw ? u64(a.raw, c.d) : orFlags(a.words, N.MSYNC_FLAGS, c, 'msync flag', 'msync');
      if (!r || flags === undefined) return undefined;
      return { op: 'msync', ...base, addr: plainAddr(r.addr), len: r.len, flags: flags.toString() };
    }
    case 'brk': {
      const v = constant(a.delta, c.d);
      return v === undefined ? undefined : { op: 'brk', ...base, delta: toI64(v).toString() };
    }
    case 'setrlimit': {
      const resource = vocab(a.resource, N.RLIMIT_RESOURCES, c.d, 'mls/bad-value', 'rlimit resource', 'rlimit');
      const soft = rlim(a.soft, c);
      const hard = a.hard ? rlim(a.hard, c) : soft;
      if (!resource || soft === undefined || hard === undefined) return undefined;
      return { op: 'setrlimit', ...base, resource, soft, hard };
    }
    case 'cap': {
      const action = vocab(a.action, N.CAP_ACTIONS, c.d, 'mls/bad-value', 'cap action');
      const cap = vocab(a.cap, N.CAPS, c.d, 'mls/bad-value', 'capability', 'cap');
      return action && cap ? { op: 'cap', ...base, action, cap } : undefined;
    }
    case 'user': {
      // SPEC §3.2: setresgid/setresuid to uid:uid (nobody 65534:65534); keep: PR_SET_KEEPCAPS and capset.
      const uid = 'terms' in a.who
        ? smallInt(a.who, c.d, 'a uid', 4294967294n)
        : N.USER_NAMES[vocab(a.who, Object.keys(N.USER_NAMES), c.d, 'mls/bad-value', 'user') ?? ''];
      const keep = a.keep?.map((w) => vocab(w, N.CAPS, c.d, 'mls/bad-value', 'capability', 'cap'));
      if (uid === undefined || keep?.includes(undefined)) return undefined;
      return { op: 'user', ...base, uid, gid: uid, ...(keep ? { keep: [...new Set(keep as N.CapWord[])] } : {}) };
    }
    case 'access': {
      const r = range(a.range, c);
      const count = smallInt(a.count, c.d, 'the access count');
      const seed = u64(a.seed, c.d);
      const mode = vocab(a.mode, N.ACCESS_MODES, c.d, 'mls/bad-value', 'access mode');
      if (!r || count === undefined || seed === undefined || !mode) return undefined;
      return { op: 'access', ...base, addr: plainAddr(r.addr), len: r.len, count, seed: seed.toString(), mode };
    }
    case 'read':
    case 'write': {
      const r = range(a.range, c, { bytes: '1' });
      const value = a.op === 'write' && a.value ? smallInt(a.value, c.d, 'a byte value', 255n) : undefined;
      if (!r || (a.op === 'write' && a.value && value === undefined)) return undefined;
      return { op: a.op, ...base, addr: plainAddr(r.addr), len: r.len, ...(value !== undefined ? { value } : {}) };
    }
    case 'grow_stack': {
      const len = length(a.len, c.d);
      return len === undefined ? undefined : { op: 'grow_stack', ...base, len: { bytes: len.toString() } };
    }
    case 'shmget':
    case 'shmat':
    case 'shmdt':
    case 'shmctl':
      return lowerShm(a, c);
  }
}

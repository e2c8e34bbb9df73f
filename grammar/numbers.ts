// Numbers, sizes and address expressions (SPEC.md §1.1–1.2): evaluation with
// bigint (values are 64-bit), and canonical spelling for the printers.
import type { Expr, NumLit, RandomAtom, Span } from './ast.js';
import { currentDraws } from './draws.js';

export const PAGE = 4096n;
export const MOD = 1n << 64n;
export const SIZE_MAX = MOD - 1n;
/** Start of the last page: what `TOP` means. */
export const TOP = MOD - PAGE;

/** Unit suffixes, case-sensitive (`k` is a typo for `K`, reported with a suggestion). */
export const UNITS: Readonly<Record<string, bigint>> = {
  // Bytes, said explicitly: a bare number below a page is `mls/no-unit`.
  B: 1n,
  p: PAGE,
  K: 1n << 10n,
  M: 1n << 20n,
  G: 1n << 30n,
  T: 1n << 40n,
  KiB: 1n << 10n,
  MiB: 1n << 20n,
  GiB: 1n << 30n,
  TiB: 1n << 40n,
  // /proc's spelling (`VmLck:  16 kB`, and mls's own output): 1024 bytes.
  kB: 1n << 10n,
};

export interface NumProblem {
  id: 'mls/number-too-large' | 'mls/bad-unit' | 'mls/bad-value' | 'mls/random-outside-repeat';
  text: string;
  span: Span;
  /** The unknown word, for did-you-mean. */
  unknown?: string;
  candidates?: readonly string[];
}

function literal(n: NumLit, problems: NumProblem[]): bigint {
  const prefix = n.base === 16 ? '0x' : n.base === 2 ? '0b' : '';
  let v = BigInt(prefix + n.digits);
  if (n.unit) {
    const mult = UNITS[n.unit.text];
    if (mult === undefined) {
      problems.push({
        id: 'mls/bad-unit',
        text: `unknown size unit "${n.unit.text}"`,
        span: n.unit.span,
        unknown: n.unit.text,
        candidates: Object.keys(UNITS),
      });
    } else v *= mult;
  }
  if (v >= MOD) problems.push({ id: 'mls/number-too-large', text: `${prefix}${n.digits}${n.unit?.text ?? ''} does not fit in 64 bits`, span: n.span });
  return v;
}

export interface AddrValue {
  region?: string;
  end: boolean;
  regionSpan?: Span;
  /** Mathematical (unreduced) sum of the constant terms. */
  offset: bigint;
}

/** `random(lo..hi)`: uniform in [lo, hi] (next() mod the width), drawn once per iteration (draws.ts). */
function draw(a: RandomAtom, problems: NumProblem[]): bigint {
  const ctx = currentDraws();
  if (!ctx) {
    problems.push({ id: 'mls/random-outside-repeat', text: '`random(…)` draws a value per iteration: it is allowed only inside a `repeat` block', span: a.span });
    return 0n;
  }
  const seen = ctx.drawn.get(a);
  if (seen !== undefined) return seen;
  const lo = evalConst(a.lo, problems), hi = evalConst(a.hi, problems);
  let v = lo;
  if (hi < lo) problems.push({ id: 'mls/bad-value', text: `random(${a.lo.text}..${a.hi.text}): the upper bound is below the lower one`, span: a.span });
  else v = lo + (ctx.rng.next() % (hi - lo + 1n));
  ctx.drawn.set(a, v);
  return v;
}

/** Evaluate an address expression: at most one region, added (not subtracted). */
export function evalAddr(e: Expr, problems: NumProblem[]): AddrValue {
  let offset = 0n;
  const out: AddrValue = { end: false, offset: 0n };
  for (const t of e.terms) {
    const a = t.atom;
    if (a.kind === 'region') {
      if (out.region !== undefined || t.sign === '-') {
        problems.push({ id: 'mls/bad-value', text: 'an address may name one region, added to byte offsets (`buf + 3p`)', span: t.span });
        continue;
      }
      out.region = a.name;
      out.end = a.end;
      out.regionSpan = a.span;
      continue;
    }
    const v = a.kind === 'num' ? literal(a, problems) : a.kind === 'random' ? draw(a, problems) : a.name === 'SIZE_MAX' ? SIZE_MAX : a.name === 'TOP' ? TOP : 0n;
    offset += t.sign === '-' ? -v : v;
  }
  out.offset = offset;
  return out;
}

/** Evaluate a constant expression (no regions): the mathematical sum, not reduced. */
export function evalConst(e: Expr, problems: NumProblem[]): bigint {
  const a = evalAddr(e, problems);
  if (a.region !== undefined) problems.push({ id: 'mls/bad-value', text: 'a region cannot be used here', span: a.regionSpan ?? e.span });
  return a.offset;
}

/** Reduce modulo 2^64 to the unsigned range. */
export function toU64(v: bigint): bigint {
  return ((v % MOD) + MOD) % MOD;
}
/** Reduce modulo 2^64 to the signed (two's complement) range. */
export function toI64(v: bigint): bigint {
  const u = toU64(v);
  return u >= 1n << 63n ? u - MOD : u;
}

/** Canonical spelling of a byte count: `2M`, `16p`, `100`, `SIZE_MAX - 8191` (largest exact unit). */
export function formatSize(v: bigint): string {
  const u = toU64(v);
  if (u >= 1n << 63n) {
    const rest = SIZE_MAX - u;
    return rest === 0n ? 'SIZE_MAX' : `SIZE_MAX - ${formatSize(rest)}`;
  }
  if (u === 0n) return '0';
  for (const [unit, m] of [['T', 1n << 40n], ['G', 1n << 30n], ['M', 1n << 20n], ['p', PAGE]] as const) {
    if (u % m === 0n) return `${u / m}${unit}`;
  }
  return u.toString();
}

/** A size or length as printed: formatSize, with `B` below a page so it reads as meant (no mls/no-unit). */
export function formatLength(v: bigint): string {
  const u = toU64(v);
  return u > 0n && u < PAGE ? `${u}B` : formatSize(v);
}

/** A signed byte offset for `region + x` / `region - x`; empty for 0. */
export function formatOffsetTail(v: bigint): string {
  const s = toI64(v);
  if (s === 0n) return '';
  return s < 0n ? ` - ${formatSize(-s)}` : ` + ${formatSize(s)}`;
}

/** A raw address: `NULL`, `TOP`, or hex. */
export function formatRawAddr(v: bigint): string {
  const u = toU64(v);
  if (u === 0n) return 'NULL';
  if (u === TOP) return 'TOP';
  return '0x' + u.toString(16);
}

/** A signed value (result values, brk deltas): `-1`, `+8p` when `plus`. */
export function formatSigned(v: bigint, plus = false): string {
  const s = toI64(v);
  if (s === -(1n << 63n)) return s.toString();
  if (s < 0n) return `-${formatSize(-s)}`;
  return (plus ? '+' : '') + formatSize(s);
}

// Checks: each resolves one AST construct to its IR value and reports what is
// wrong with it (stable ids, SPEC.md Part I). lower.ts calls these while walking
// the statements; they return undefined when the construct is unusable.
import type { Addr, Len, ProfileSelector, ResultExpect, ResultValue, VersionConstraint } from '../schema/generated/types.js';
import type { Expr, ResultAst, Selector, SettingSel, Span, Word } from './ast.js';
import type { Diagnostics } from './diagnostics.js';
import { lookupWord, type AliasKind } from './kernel-names.js';
import * as N from './names.js';
import { knownProfile, resultWord, ERRNOS, SIGNALS } from './names.js';
import { evalAddr, evalConst, toI64, toU64, type NumProblem } from './numbers.js';
import type { Scope } from './scope.js';

export function report(d: Diagnostics, problems: NumProblem[]): boolean {
  for (const p of problems) {
    if (p.unknown !== undefined && p.candidates) d.unknown(p.id, 'size unit', p.unknown, p.span, p.candidates);
    else d.error(p.id, p.text, p.span);
  }
  return problems.length === 0;
}

/** A constant (no regions); the mathematical value, not reduced. */
export function constant(e: Expr, d: Diagnostics): bigint | undefined {
  const problems: NumProblem[] = [];
  const v = evalConst(e, problems);
  return report(d, problems) ? v : undefined;
}

/** An unsigned 64-bit value (sizes, raw flag words), reduced modulo 2^64. */
export function u64(e: Expr, d: Diagnostics): bigint | undefined {
  const v = constant(e, d);
  return v === undefined ? undefined : toU64(v);
}

/**
 * SPEC.md §1.1: a size written as a bare decimal below a page (`mmap 4`,
 * `locked_vm == 4`) is bytes, which is rarely what was meant: say so. `4B`
 * states bytes; hex literals are raw values and are left alone.
 */
export function unitless(e: Expr, v: bigint, d: Diagnostics): void {
  const a = e.terms.length === 1 ? e.terms[0]!.atom : undefined;
  if (a?.kind !== 'num' || a.unit || a.base !== 10 || v <= 0n || v >= 4096n) return;
  d.warning('mls/no-unit', `${e.text} has no unit: it is read as ${e.text === '1' ? '1 byte' : `${e.text} bytes`}`, e.span, {
    suggestion: `${e.text}p`,
    notes: [`write ${e.text}p for pages, ${e.text}K for KiB, or ${e.text}B if bytes are meant`],
  });
}

/** A length: negative values are read modulo 2^64 with a warning (SPEC.md §1.1). */
export function length(e: Expr, d: Diagnostics): bigint | undefined {
  const v = constant(e, d);
  if (v === undefined) return undefined;
  unitless(e, v, d);
  if (v < 0n) {
    d.warning('mls/negative-length', `negative length ${e.text} is read modulo 2^64 (${toU64(v)})`, e.span, {
      notes: ['write it as a raw expression such as `SIZE_MAX - 8191` to silence this warning'],
    });
  }
  return toU64(v);
}

/** A small non-negative integer that must be exact in a JSON number. */
export function smallInt(e: Expr, d: Diagnostics, what: string, max = BigInt(Number.MAX_SAFE_INTEGER)): number | undefined {
  const v = constant(e, d);
  if (v === undefined) return undefined;
  if (v < 0n || v > max) {
    const id = v > max && max === BigInt(Number.MAX_SAFE_INTEGER) ? 'mls/number-too-large' : 'mls/bad-value';
    d.error(id, `${what} must be between 0 and ${max}, got ${e.text}`, e.span);
    return undefined;
  }
  return Number(v);
}

/** An address in process `proc`: the region must be bound there. */
export function address(e: Expr, d: Diagnostics, scope: Scope, proc: string): (Addr & { bare: boolean }) | undefined {
  const problems: NumProblem[] = [];
  const a = evalAddr(e, problems);
  if (!report(d, problems)) return undefined;
  const out: Addr & { bare: boolean } = { offset: toI64(a.offset).toString(), bare: false };
  if (a.region !== undefined) {
    if (!regionKnown(a.region, a.regionSpan ?? e.span, d, scope, proc)) return undefined;
    out.region = a.region;
    if (a.end) out.end = true;
    out.bare = !a.end && e.terms.length === 1;
  }
  return out;
}

export function regionKnown(name: string, span: Span, d: Diagnostics, scope: Scope, proc: string): boolean {
  const p = scope.proc(proc);
  if (p?.regions.has(name)) return true;
  const m = d.unknown('mls/unknown-region', 'region', name, span, [...(p?.regions.keys() ?? [])]);
  const elsewhere = scope.boundElsewhere(proc, name);
  if (elsewhere.length > 0) m.notes.push({ text: `"${name}" is bound in process ${elsewhere.join(', ')}, not in ${proc} (after exec only built-in regions stay bound)` });
  return false;
}

/**
 * The length of a range; when omitted, the address must be a bare region and the
 * range is the whole region: its statically known length, or `{regionLen}`.
 */
export function rangeLength(len: Expr | undefined, addr: Addr & { bare: boolean }, addrSpan: Span, d: Diagnostics, scope: Scope, proc: string): Len | undefined {
  if (len) {
    const v = length(len, d);
    return v === undefined ? undefined : { bytes: v.toString() };
  }
  if (!addr.bare || addr.region === undefined) {
    d.error('mls/length-required', 'a length is required unless the address is a bare region name', addrSpan, {
      notes: ['write the length after the address, e.g. `mlock buf + 1p 4p`'],
    });
    return undefined;
  }
  const info = scope.region(proc, addr.region);
  return info?.len !== undefined ? { bytes: info.len.toString() } : { regionLen: addr.region };
}

/** A `name=value` machine setting, checked against names.ts SETTINGS. */
export function setting(s: SettingSel, d: Diagnostics): { name: N.SettingName; value: string } | undefined {
  const name = N.SETTING_NAMES.find((n) => n === s.name);
  if (!name) {
    d.unknown('mls/unknown-setting', 'machine setting', s.name, s.span, N.SETTING_NAMES);
    return undefined;
  }
  const allowed = N.SETTINGS[name];
  if (allowed === 'number' ? !/^\d{1,9}$/.test(s.value) : !(allowed as readonly string[]).includes(s.value)) {
    d.error('mls/bad-value', `\`${name}\` takes ${allowed === 'number' ? 'a decimal number' : (allowed as readonly string[]).join(' or ')}, not \`${s.value}\``, s.span);
    return undefined;
  }
  return { name, value: allowed === 'number' ? String(Number(s.value)) : s.value };
}

export function selector(s: Selector, d: Diagnostics): ProfileSelector | undefined {
  if (s.kind === 'setting') {
    const v = setting(s, d);
    return v ? { settings: [v] } : undefined;
  }
  if (s.kind === 'all') {
    // `on A and B`: at most one profile or patch, one version constraint, any settings.
    const out: ProfileSelector = {};
    for (const term of s.terms) {
      const one = selector(term, d);
      if (!one) return undefined;
      if ((one.profile !== undefined && out.profile !== undefined) || (one.version && out.version)) {
        d.error('mls/bad-value', 'one `on … and …` selector names at most one profile and one version constraint', term.span);
        return undefined;
      }
      if (one.settings?.some((x) => out.settings?.some((y) => y.name === x.name))) {
        d.error('mls/bad-value', `\`${(term as SettingSel).name}\` is named twice in one selector`, term.span);
        return undefined;
      }
      Object.assign(out, { ...one, ...(one.settings || out.settings ? { settings: [...(out.settings ?? []), ...(one.settings ?? [])] } : {}) });
    }
    return out;
  }
  if (s.kind === 'profile') {
    const k = knownProfile(s.name);
    if (!k.ok) {
      d.unknown('mls/unknown-profile', 'kernel profile or patch', k.bad, s.span, k.candidates);
      return undefined;
    }
    return { profile: s.name };
  }
  const c = versionConstraint(s.op, s.version, s.span, d);
  return c ? { version: c } : undefined;
}

export function versionConstraint(op: string, version: string, span: Span, d: Diagnostics): VersionConstraint | undefined {
  if (op === '!=') {
    d.error('mls/bad-value', 'a version constraint uses <, <=, ==, >= or >', span);
    return undefined;
  }
  return { op: op as VersionConstraint['op'], version };
}

function resultValue(v: ResultAst['cases'][number]['value'], d: Diagnostics): ResultValue | undefined {
  if (v.kind === 'num') {
    const n = constant(v.expr, d);
    return n === undefined ? undefined : { kind: 'value', value: toI64(n).toString() };
  }
  const r = resultWord(v.word.text);
  if (!r) {
    d.unknown('mls/unknown-errno', 'errno or signal', v.word.text, v.word.span, [...ERRNOS, ...SIGNALS, 'ok', 'any']);
    return undefined;
  }
  return r;
}

/** `=> EINVAL or ENOMEM`: each alternative a concrete result (`any` would accept everything). */
function oneOf(values: ResultAst['cases'][number]['value'][], d: Diagnostics): ResultValue | undefined {
  const out: ResultValue[] = [];
  for (const v of values) {
    const r = resultValue(v, d);
    if (!r) return undefined;
    if (r.kind === 'any') {
      d.error('mls/bad-value', '`any` accepts every result: it cannot be one of several', v.span);
      return undefined;
    }
    out.push(r);
  }
  return { kind: 'oneOf', oneOf: out as [ResultValue, ResultValue, ...ResultValue[]] };
}

/** `=> …`: the case without `on` is the default (ok when every case has a selector). */
export function result(r: ResultAst | undefined, d: Diagnostics, loc: (s: Span) => ResultExpect['loc']): ResultExpect | undefined {
  if (!r) return { default: { kind: 'ok' }, cases: [] };
  const out: ResultExpect = { default: { kind: 'ok' }, cases: [], loc: loc(r.span) };
  let ok = true;
  let sawDefault = false;
  for (const c of r.cases) {
    const value = c.or.length === 0 ? resultValue(c.value, d) : oneOf([c.value, ...c.or], d);
    const when = c.when ? selector(c.when, d) : undefined;
    if (!value || (c.when && !when)) {
      ok = false;
      continue;
    }
    if (!when) {
      if (sawDefault) {
        d.error('mls/bad-value', 'only one result may be given without `on <profile>`', c.span);
        ok = false;
      }
      sawDefault = true;
      out.default = value;
    } else out.cases.push({ when, value });
  }
  return ok ? out : undefined;
}

/** True when every expected outcome is success (`=> ok` or no result written). */
export function expectsOk(r: ResultExpect): boolean {
  return r.default.kind === 'ok' && r.cases.every((c) => c.value.kind === 'ok');
}

/** Look a word up in a vocabulary; report `id` with a suggestion when it is not there. */
export function vocab<T extends string>(w: Word, list: readonly T[], d: Diagnostics, id: string, what: string, alias?: AliasKind): T | undefined {
  const hit = alias ? lookupWord(alias, w.text, list) : list.find((x) => x === w.text);
  if (hit !== undefined) return hit;
  d.unknown(id, what, w.text, w.span, list);
  return undefined;
}

// Lowering of `expect` statements (SPEC.md §3.6): fields, ops, per-profile values.
import type { Check, CheckExpect, CheckValue, ExpectStep, LayoutVma, Loc } from '../schema/generated/types.js';
import type { ClauseAst, ExpectStmt, LetStmt, Span, ValueAst } from './ast.js';
import { constant, regionKnown, selector, smallInt, unitless } from './check.js';
import type { Diagnostics } from './diagnostics.js';
import { lookupWord } from './kernel-names.js';
import * as N from './names.js';
import type { Scope } from './scope.js';

const CMP_OPS = ['==', '!=', '<', '<=', '>', '>='];

function kindName(v: ValueAst): string {
  return { layout: 'a layout', map: 'a resident map string', num: 'a number', words: 'a list of words', captured: 'a captured value' }[v.kind];
}
const EXPECTED: Record<N.FieldKind, string> = {
  bytes: 'a size such as 16p or 64K',
  count: 'a count such as 3',
  flags: 'VMA flag letters such as `lo lf`',
  map: 'a string of # (resident) and . (not), e.g. "#..#"',
  state: 'off, on or onfault',
  layout: 'VMAs such as `[0, 2p) rw- lo | [2p, 4p) r-- lo lf`',
};

function letters(words: { text: string; span: Span }[], allowed: readonly string[], d: Diagnostics): string[] | undefined {
  const out: string[] = [];
  for (const w of words) {
    const l = lookupWord('vmaFlag', w.text, allowed);
    if (l === undefined) d.unknown('mls/unknown-flag', 'VMA flag', w.text, w.span, allowed);
    else out.push(l);
  }
  return out.length === words.length ? out : undefined;
}

/** `before`, `before + 1p`: a value kept by `let` (same kind of field), plus an offset. */
function captured(kind: 'bytes' | 'count', name: { text: string; span: Span }, offset: ValueAst | undefined, d: Diagnostics, scope: Scope): CheckValue | undefined {
  const k = scope.captures.get(name.text);
  if (k === undefined) {
    const m = d.unknown('mls/unknown-capture', 'captured value', name.text, name.span, [...scope.captures.keys()]);
    m.notes.push({ text: `values are kept by \`let ${name.text} = <field>\` before they are used` });
    return undefined;
  }
  if (k !== kind) {
    d.error('mls/bad-value', `"${name.text}" holds a ${k === 'bytes' ? 'size' : 'count'}, not a ${kind === 'bytes' ? 'size' : 'count'}`, name.span);
    return undefined;
  }
  const off = offset?.kind === 'captured' ? constant(offset.offset, d) : 0n;
  if (off === undefined) return undefined;
  return { captured: { name: name.text, offset: off.toString() } };
}

function checkValue(kind: N.FieldKind, v: ValueAst, d: Diagnostics, scope: Scope): CheckValue | undefined {
  const wrong = (): undefined => {
    d.error('mls/bad-value', `expected ${EXPECTED[kind]}, found ${kindName(v)}`, v.span);
    return undefined;
  };
  switch (kind) {
    case 'bytes':
    case 'count': {
      if (v.kind === 'captured') return captured(kind, v.name, v, d, scope);
      // A lone word is a `let` name only when the scenario has some (`locked_vm == lo` stays a wrong kind).
      if (v.kind === 'words' && v.words.length === 1 && scope.captures.size > 0) return captured(kind, v.words[0]!, undefined, d, scope);
      if (v.kind !== 'num') return wrong();
      const n = smallInt(v.expr, d, kind === 'bytes' ? 'an expected size' : 'an expected count');
      if (n !== undefined && kind === 'bytes') unitless(v.expr, BigInt(n), d);
      return n === undefined ? undefined : kind === 'bytes' ? { bytes: n } : { count: n };
    }
    case 'flags': {
      if (v.kind !== 'words') return wrong();
      const f = letters(v.words, N.VMA_FLAG_LETTERS, d);
      return f && { flags: f };
    }
    case 'map':
      if (v.kind !== 'map') return wrong();
      if (!/^[#.]*$/.test(v.text)) {
        d.error('mls/bad-value', 'a resident map holds only # (resident) and . (not resident)', v.span);
        return undefined;
      }
      return { map: v.text };
    case 'state': {
      if (v.kind !== 'words' || v.words.length !== 1) return wrong();
      const w = v.words[0]!;
      if (!(N.MCL_STATES as readonly string[]).includes(w.text)) {
        d.unknown('mls/bad-value', 'mcl_future state', w.text, w.span, N.MCL_STATES);
        return undefined;
      }
      return { state: w.text as 'off' | 'on' | 'onfault' };
    }
    case 'layout': {
      if (v.kind !== 'layout') return wrong();
      const vmas: LayoutVma[] = [];
      for (const vma of v.vmas) {
        const start = constant(vma.start, d);
        const end = constant(vma.end, d);
        const flags = letters(vma.flags, N.LAYOUT_FLAG_LETTERS, d);
        if (start === undefined || end === undefined || !flags) return undefined;
        if (start > end || start < -(1n << 53n) || end > 1n << 53n) {
          d.error('mls/bad-value', 'a layout range is [start, end) with start <= end', vma.span);
          return undefined;
        }
        const p = vma.prot.text;
        const out: LayoutVma = { start: Number(start), end: Number(end), prot: p.slice(0, 3), flags };
        if (p.length === 4) out.shared = p[3] === 's';
        vmas.push(out);
      }
      return { layout: vmas };
    }
  }
}

const SYSTEM_OPS = ['<', '<=', '>', '>='];

/**
 * A system counter moves with every process on the machine: a clause compares it with `<`, `<=`, `>`
 * or `>=` against a value `let` captured from the same counter (SPEC.md §3.6 "System counters");
 * a captured system counter is compared with nothing else.
 */
function systemClauseOk(c: ClauseAst, field: N.Field, op: string, d: Diagnostics, scope: Scope): boolean {
  const isSystem = (N.SYSTEM_FIELDS as readonly string[]).includes(field);
  const names = (c.values ?? []).map((vc) => vc.value).flatMap((v) =>
    v.kind === 'captured' ? [v.name] : v.kind === 'words' && v.words.length === 1 ? [v.words[0]!] : []);
  for (const n of names) {
    const from = scope.systemCaptures.get(n.text);
    if (from !== undefined && from !== field) {
      d.error('mls/system-counter', `"${n.text}" holds ${from}, a system counter: only ${from} compares against it`, n.span);
      return false;
    }
  }
  if (!isSystem) return true;
  const at = c.op?.span ?? c.field.span;
  const ops = [op, ...(c.values ?? []).flatMap((vc) => (vc.op ? [vc.op.text] : []))];
  if (!c.values || c.values.some((vc) => vc.value.kind !== 'captured' && !(vc.value.kind === 'words' && vc.value.words.length === 1))) {
    d.error('mls/system-counter', `${field} is a system-wide counter: compare it with a value \`let\` captured, e.g. \`let m = ${field}\` … \`expect ${field} >= m + 4p\``, at, {
      notes: ['its absolute value depends on every process of the machine, so no placeholder or literal can be right'],
    });
    return false;
  }
  const other = names.find((n) => scope.captures.has(n.text) && scope.systemCaptures.get(n.text) !== field);
  if (other) {
    d.error('mls/system-counter', `${field} compares only against a value captured from ${field} (\`let ${other.text} = ${field}\`)`, other.span);
    return false;
  }
  if (ops.some((o) => !SYSTEM_OPS.includes(o))) {
    d.error('mls/system-counter', `${field} moves with other processes' locks: compare with ${SYSTEM_OPS.join(' ')}, not ${ops.find((o) => !SYSTEM_OPS.includes(o))}`, at, {
      notes: [`state the scenario's own pages as a bound: \`expect ${field} >= m + 4p\` after locking 4p`],
    });
    return false;
  }
  return true;
}

function clause(c: ClauseAst, carried: string | undefined, d: Diagnostics, scope: Scope, proc: string, loc: (s: Span) => Loc): { check?: Check; region?: string } {
  const field = (lookupWord('field', c.field.text, N.FIELDS) ?? c.field.text) as N.Field;
  const kind = N.FIELD_KINDS[field];
  if (kind === undefined) {
    d.unknown('mls/unknown-field', 'field', c.field.text, c.field.span, N.FIELDS);
    return { region: c.region?.text ?? carried };
  }
  let region = c.region?.text;
  if (region !== undefined) {
    if (!regionKnown(region, c.region!.span, d, scope, proc)) return { region };
    if (!N.REGION_FIELDS.includes(field)) {
      d.error('mls/unknown-field', `"${field}" is a process field, not a region field`, c.field.span, {
        notes: [`region fields: ${N.REGION_FIELDS.join(', ')}`, 'write process fields in a clause of their own or before the region is named'],
      });
      return { region };
    }
  } else if (carried !== undefined && N.REGION_FIELDS.includes(field)) region = carried;
  else if (!N.PROCESS_FIELDS.includes(field)) {
    d.error('mls/unknown-field', `"${field}" is a region field: name the region first, e.g. \`expect buf ${field} …\``, c.field.span);
    return { region: carried };
  }
  const op = c.op?.text ?? (kind === 'flags' ? 'has' : '==');
  const okOps = kind === 'flags' ? ['has', 'lacks'] : kind === 'bytes' || kind === 'count' ? CMP_OPS : ['==', '!='];
  for (const [o, s] of [[op, c.op?.span ?? c.field.span] as const, ...(c.values ?? []).flatMap((vc) => (vc.op ? [[vc.op.text, vc.op.span] as const] : []))]) {
    if (okOps.includes(o)) continue;
    d.error('mls/bad-value', `operator ${o} does not apply to ${field}; use ${okOps.join(' ')}`, s);
    return { region: region ?? carried };
  }
  if (!systemClauseOk(c, field, op, d, scope)) return { region: region ?? carried };
  const check: Check = { loc: loc(c.span), field, op: op as Check['op'] };
  if (region !== undefined) check.region = region;
  if (c.values) {
    let value: CheckExpect | undefined;
    let ok = true;
    for (const vc of c.values) {
      const v = checkValue(kind, vc.value, d, scope);
      const when = vc.when ? selector(vc.when, d) : undefined;
      if (!v || (vc.when && !when)) ok = false;
      else if (!value) value = { default: v, cases: [] };
      else value.cases.push({ when: when!, value: v, ...(vc.op && vc.op.text !== op ? { op: vc.op.text as Check['op'] } : {}) });
    }
    if (!ok) return { region: region ?? carried };
    check.value = value!;
  }
  return { check, region: region ?? carried };
}

/** `let name = [region] field`: an expect step that keeps one observed value (SPEC.md §3.6). */
export function lowerLet(st: LetStmt, d: Diagnostics, scope: Scope, proc: string, loc: (s: Span) => Loc): ExpectStep | undefined {
  const field = (lookupWord('field', st.field.text, N.FIELDS) ?? st.field.text) as N.Field;
  const kind = N.FIELD_KINDS[field];
  if (kind === undefined) {
    d.unknown('mls/unknown-field', 'field', st.field.text, st.field.span, N.FIELDS);
    return undefined;
  }
  if (kind !== 'bytes' && kind !== 'count') {
    d.error('mls/bad-value', `\`let\` keeps a size or a count; ${field} is neither`, st.field.span);
    return undefined;
  }
  if (st.region) {
    if (!regionKnown(st.region.text, st.region.span, d, scope, proc)) return undefined;
    if (!N.REGION_FIELDS.includes(field)) {
      d.error('mls/unknown-field', `"${field}" is a process field, not a region field`, st.field.span);
      return undefined;
    }
  } else if (!N.PROCESS_FIELDS.includes(field)) {
    d.error('mls/unknown-field', `"${field}" is a region field: name the region first, e.g. \`let ${st.name.text} = buf ${field}\``, st.field.span);
    return undefined;
  }
  if (scope.captures.has(st.name.text)) {
    d.error('mls/bad-value', `"${st.name.text}" is already a captured value`, st.name.span);
    return undefined;
  }
  scope.captures.set(st.name.text, kind);
  if ((N.SYSTEM_FIELDS as readonly string[]).includes(field)) scope.systemCaptures.set(st.name.text, field);
  const capture = { name: st.name.text, field, ...(st.region ? { region: st.region.text } : {}) };
  return { op: 'expect', loc: loc(st.span), proc, checks: [], capture };
}

export function lowerExpect(st: ExpectStmt, d: Diagnostics, scope: Scope, proc: string, loc: (s: Span) => Loc): ExpectStep | undefined {
  const checks: Check[] = [];
  let carried: string | undefined;
  let ok = true;
  for (const c of st.clauses) {
    const r = clause(c, carried, d, scope, proc, loc);
    carried = r.region;
    if (r.check) checks.push(r.check);
    else ok = false;
  }
  return ok ? { op: 'expect', loc: loc(st.span), proc, checks } : undefined;
}

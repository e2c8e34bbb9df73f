// Identical lines share one AST (parse.ts's line cache), built with every span on
// line 0; a statement gets its own copy, with its line, only when it is used.
// Keeping the shared AST and a line number per statement, instead of a copy, is
// what keeps a big file's parse small (a copy is ~1.7 kB a line, and all of them
// lived until lowering: half the time of a 5 MB check was GC moving them).
import type { NumberPlan, Statement, StatementRef } from './ast.js';

/**
 * A copy of a shared line AST with every span moved to `line`; with a plan
 * (line-shape.ts), its digit-bearing strings are read from `code` on the way.
 */
export function restamp<T>(value: T, line: number, plan?: NumberPlan, code?: string): T {
  if (plan && !(plan instanceof Map)) return code!.slice(plan.offset, plan.offset + plan.length) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const a: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) a[i] = restamp(value[i] as unknown, line, plan?.get(i), code);
    return a as T;
  }
  // A spread copy keeps the source object's shape (a key-by-key build makes
  // dictionary objects); only nested objects, slots and `line` are replaced.
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const k in out) {
    const v = out[k];
    if (k === 'line') out[k] = line;
    else if (plan) {
      const sub = plan.get(k);
      if (sub || (typeof v === 'object' && v !== null)) out[k] = restamp(v, line, sub, code);
    } else if (typeof v === 'object' && v !== null) out[k] = restamp(v, line);
  }
  return out as T;
}

/** The statement at its line: a fresh copy the caller may change. */
export function statementOf(ref: StatementRef): Statement {
  const st = ref.numbers ? restamp(ref.shared, ref.line, ref.numbers.plan, ref.numbers.code) : restamp(ref.shared, ref.line);
  if (ref.proc) st.proc = ref.proc;
  if (ref.repeat) st.repeat = ref.repeat;
  return st;
}

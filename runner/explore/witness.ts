// A differing program → a .mls scenario with per-profile expectations: every
// call states its result on each registered profile (`=> ok, EINVAL on
// linux-6.18+mremap-nopopulate`), and an `expect` in each process whose final
// observations differ states the values that differ (`expect a rss == 0, 2p on
// …`). The file is compiled back and run on every profile; a profile on which
// some value cannot be stated in one clause (a flag set on part of a region)
// is left out through the `kernel` header, so the file passes `--kernel all`.
import type { Check, CheckValue, ObservationLog, ResultExpect, ResultValue, Scenario, Snapshot } from '../../schema/generated/types.js';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { REGISTERED } from '../../runtime/index.js';
import type { Divergence } from '../comparison/compare-logs.js';
import { evaluate } from '../evaluation/evaluate.js';
import { checksFor } from '../fuzz/emit.js';
import type { CallStep, ExpectStep, Step } from '../ir.js';
import { runOn } from './run.js';
import type { Witness } from './search.js';
import { telling } from './telling.js';

export interface WitnessFile {
  text: string;
  scenario: Scenario;
  /** Profiles the file states values for (all of them pass it). */
  profiles: string[];
  /** Registered profiles left out (some differing value has no one-clause form there). */
  excluded: string[];
}

function resultOf(log: ObservationLog, i: number): ResultValue | undefined {
  const r = log.steps.find((s) => s.step === i)?.result;
  if (!r) return undefined;
  if (r.outcome === 'errno') return { kind: 'errno', errno: r.errno ?? 'EINVAL' };
  if (r.outcome === 'signal') return { kind: 'signal', signal: r.signal ?? 'SIGSEGV' };
  return { kind: 'ok' };
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

/** The value most profiles have (ties: the earliest in `order`, so profile A's): the default of a clause. */
function majority<T>(values: T[]): T {
  const counts = new Map<string, { v: T; n: number }>();
  for (const v of values) {
    const k = JSON.stringify(v);
    const e = counts.get(k);
    if (e) e.n++; else counts.set(k, { v, n: 1 });
  }
  let best: { v: T; n: number } | undefined;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return best!.v;
}

/** Per-profile result expectation: the most common result by default, a case for every profile that differs. */
function resultExpect(logs: Map<string, ObservationLog>, order: string[], i: number): ResultExpect {
  const values = order.map((p) => resultOf(logs.get(p)!, i) ?? ({ kind: 'any' } as ResultValue));
  // The most common result by default (A's on a tie): `=> ok, ENOSYS on linux-4.3` rather than a list of oks.
  const def = majority(values);
  const cases: ResultExpect['cases'] = [];
  order.forEach((p, j) => { if (!same(values[j], def)) cases.push({ when: { profile: p }, value: values[j]! }); });
  return { default: def, cases };
}

interface Clause { region?: string; field: Check['field']; op: Check['op']; value: CheckValue }

/** One profile's clauses for the differing paths, keyed by region and field (flags: by letter). */
function clausesOf(divs: Divergence[], snap: Snapshot | undefined, loc: Check['loc']): Map<string, Clause> {
  const out = new Map<string, Clause>();
  if (!snap) return out;
  for (const d of divs) {
    // A VMA's flags: one `flags has|lacks <letter>` per letter that differs (shorter than the region's layout).
    const fm = /^regions\.(\w+)\.vmas\[\d+\]\.flags$/.exec(d.path);
    const r = fm ? snap.regions[fm[1]!] : undefined;
    if (fm && r && r.vmas.length) {
      const [x, y] = [String(d.a).split(' '), String(d.b).split(' ')];
      // `??` (a bit without a mnemonic: VM_LOCKONFAULT before 6.2) has no form in the language; its `lf` side says it.
      for (const f of [...x.filter((l) => !y.includes(l)), ...y.filter((l) => !x.includes(l))].filter((l) => l !== '??')) {
        const has = r.vmas.filter((v) => v.flags.includes(f)).length;
        if (has === r.vmas.length || has === 0) out.set(`${fm[1]}|flags|${f}`, { region: fm[1]!, field: 'flags', op: has ? 'has' : 'lacks', value: { flags: [f] } });
      }
      continue;
    }
    for (const c of checksFor(d, snap, loc)) {
      if (c.field === 'flags') {
        for (const f of c.value!.default.flags ?? []) out.set(`${c.region}|flags|${f}`, { region: c.region, field: 'flags', op: c.op, value: { flags: [f] } });
      } else out.set(`${c.region ?? ''}|${c.field}`, { ...(c.region !== undefined ? { region: c.region } : {}), field: c.field, op: c.op, value: c.value!.default });
    }
  }
  return out;
}

/** Combine each profile's clauses: profile A's value by default, a case per profile that differs; profiles without a clause are unstated. */
function combine(per: Map<string, Map<string, Clause>>, order: string[], loc: Check['loc'], unstated: Set<string>): Check[] {
  const checks: Check[] = [];
  for (const key of per.get(order[0]!)!.keys()) {
    const stated = order.filter((p) => per.get(p)!.has(key));
    for (const p of order) if (!per.get(p)!.has(key)) unstated.add(p);
    // Profile A's value leads (then B's case comes first: `order` is A, B, the rest).
    const c = per.get(order[0]!)!.get(key)!;
    const cases: NonNullable<Check['value']>['cases'] = [];
    for (const p of stated) {
      const o = per.get(p)!.get(key)!;
      if (o.op === c.op && same(o.value, c.value)) continue;
      cases.push({ when: { profile: p }, value: o.value, ...(o.op !== c.op ? { op: o.op } : {}) });
    }
    checks.push({ loc, ...(c.region !== undefined ? { region: c.region } : {}), field: c.field, op: c.op, value: { default: c.value, cases } });
  }
  // A profile B states a clause that A has no form for (a flag A has on part of the region): no clause says it for A.
  for (const p of order.slice(1)) for (const key of per.get(p)!.keys()) if (!per.get(order[0]!)!.has(key)) unstated.add(p);
  return checks;
}

function build(w: Witness, order: string[], logs: Map<string, ObservationLog>, meta: { name: string; about: string[]; tags: string[] }, unstated: Set<string>): Scenario {
  const s = w.compared.scenario;
  const steps: Step[] = [];
  s.steps.forEach((st, i) => {
    if (st.op !== 'expect') {
      steps.push({ ...(st as CallStep), result: resultExpect(logs, order, i) } as Step);
      return;
    }
    const divs = telling(w.compared.divergences.filter((d) => d.step === i));
    if (divs.length === 0) return;
    const loc = { ...st.loc };
    const per = new Map(order.map((p) => [p, clausesOf(divs, logs.get(p)!.steps.find((o) => o.step === i)?.snapshot, loc)]));
    const checks = combine(per, order, loc, unstated);
    if (checks.length) steps.push({ ...(st as ExpectStep), checks } as Step);
  });
  return { ...s, name: meta.name, description: meta.about.join('\n'), tags: meta.tags, steps };
}

/** The witness as a checked .mls file (throws when the file does not pass on A and B: a bug here). */
export function witnessFile(w: Witness, a: string, b: string, meta: { name: string; about: string[]; tags: string[]; file?: string }): WitnessFile {
  const order = [...new Set([a, b, ...REGISTERED])];
  const logs = new Map(order.map((p) => [p, runOn(w.compared.scenario, p)]));
  const unstated = new Set<string>();
  let scenario = build(w, order, logs, meta, unstated);
  const file = meta.file ?? 'explore.mls';
  const check = (sc: Scenario): { text: string; compiled: Scenario; passing: string[] } => {
    const text = printScenario(sc);
    const compiled = compileSource(text, file);
    if (!compiled.scenario) {
      throw new Error(`the witness does not compile (${compiled.messages.map((m) => `${m.location?.line ?? 0}: ${m.text}`).join('; ')}):\n${text}`);
    }
    const passing = order.filter((p) => !unstated.has(p) && evaluate(compiled.scenario!, runOn(compiled.scenario!, p), p).outcome === 'PASS');
    return { text, compiled: compiled.scenario, passing };
  };
  let r = check(scenario);
  if (r.passing.length !== order.length) {
    scenario = { ...scenario, kernels: { profiles: r.passing, constraints: [] } };
    r = check(scenario);
  }
  for (const p of [a, b]) {
    if (!r.passing.includes(p)) throw new Error(`the witness does not pass on ${p} (a bug in mls explore):\n${r.text}`);
  }
  return { text: r.text, scenario: r.compiled, profiles: r.passing, excluded: order.filter((p) => !r.passing.includes(p)) };
}

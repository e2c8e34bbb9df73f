// A minimal divergence → a regression scenario whose expectations are the
// kernel's: every call expects what the host returned, and an `expect` after
// the diverging step states the host's values for the fields that diverged.
// Steps after it are dropped (trace comparison stops mattering there).
import { MODEL_DEFAULTS, valuesOfLog } from '../machine/settings.js';
import type { Check, CheckValue, ObservationLog, ResultValue, Scenario, Snapshot } from '../../schema/generated/types.js';
import type { Step } from '../ir.js';
import { layoutOf, TRACKED_FLAGS } from '../evaluation/check.js';
import { MAP_TEXT_PAGES, residentMap } from '../render/resident-map.js';
import { residentPages } from '../render/values.js';
import type { Divergence } from '../comparison/compare-logs.js';

const PAGE = 4096;
const TRACKED = new Set<string>(TRACKED_FLAGS);

function hostResult(log: ObservationLog, i: number): ResultValue {
  const r = log.steps.find((s) => s.step === i)?.result;
  if (!r) return { kind: 'any' };
  if (r.outcome === 'errno') return { kind: 'errno', errno: r.errno ?? 'EINVAL' };
  if (r.outcome === 'signal') return { kind: 'signal', signal: r.signal ?? 'SIGSEGV' };
  return { kind: 'ok' };
}

const value = (v: CheckValue): Check['value'] => ({ default: v, cases: [] });

/** The clause(s) stating the host's value of one diverging path, or none when no clause can say it. */
export function checksFor(d: Divergence, snap: Snapshot, loc: Check['loc']): Check[] {
  const proc = (field: Check['field'], v: CheckValue): Check[] => [{ loc, field, op: '==', value: value(v) }];
  switch (d.path) {
    case 'status.VmLck': return proc('locked_vm', { bytes: snap.status.VmLck });
    case 'status.VmPin': return proc('pinned_vm', { bytes: snap.status.VmPin });
    case 'status.VmSize': return proc('total_vm', { bytes: snap.status.VmSize });
    case 'status.VmRSS': return proc('rss', { bytes: snap.status.VmRSS });
    case 'mapCount': return proc('map_count', { count: snap.mapCount });
    case 'lockedTotal': return proc('locked', { bytes: snap.lockedTotal });
    case 'mclFuture': return proc('mcl_future', { state: snap.mclFuture });
    default: break;
  }
  const m = /^regions\.([A-Za-z_][A-Za-z0-9_]*)(?:\.(len|vmas|resident|mlocked|unevictable)(?:\[(\d+)\]\.(\w+))?)?$/.exec(d.path);
  if (!m) return [];
  const region = m[1]!, part = m[2], sub = m[4];
  const r = snap.regions[region];
  if (!r) return [];
  const reg = (field: Check['field'], v: CheckValue, op: Check['op'] = '=='): Check => ({ loc, region, field, op, value: value(v) });
  const layout = (): Check => reg('layout', { layout: r.vmas.map((v) => ({ ...layoutOf(v), shared: v.shared })) });
  // A host region length past 2^40 is a misread (heap below its start); no clause can state it.
  if (r.len > 2 ** 40) return [];
  if (part === 'resident') {
    // A map past MAP_TEXT_PAGES would be a line of millions of characters: state the resident size instead.
    const pages = Math.ceil(r.len / PAGE);
    if (pages > MAP_TEXT_PAGES) return [reg('resident', { bytes: residentPages(r.resident) * PAGE })];
    return [reg('resident_map', { map: residentMap(r.resident, pages) })];
  }
  if ((part === 'mlocked' || part === 'unevictable') && r[part]) {
    const pages = Math.ceil(r.len / PAGE);
    if (pages > MAP_TEXT_PAGES) return [reg(part, { bytes: residentPages(r[part]) * PAGE })];
    return [reg(`${part}_map`, { map: residentMap(r[part], pages) })];
  }
  // A layout of no VMA has no text form: the count says it.
  if (part === 'len' || (part === 'vmas' && sub === undefined)) return r.vmas.length ? [reg('vmas', { count: r.vmas.length }), layout()] : [reg('vmas', { count: 0 })];
  if (sub === 'rss' || sub === 'pss' || sub === 'locked' || sub === 'anonymous') {
    return [reg(sub, { bytes: r.vmas.reduce((s, v) => s + v[sub], 0) })];
  }
  if (sub === 'anonHuge') return [reg('anon_huge', { bytes: r.vmas.reduce((s, v) => s + v.anonHuge, 0) })];
  if (sub === 'range' || sub === 'prot') return [layout()];
  if (sub === 'flags') {
    const [ma, hb] = [String(d.a).split(' '), String(d.b).split(' ')];
    // `??` (a bit without a mnemonic: VM_LOCKONFAULT before 6.2) has no form in the language: `lf` says it.
    const differing = [...new Set([...ma.filter((x) => !hb.includes(x)), ...hb.filter((x) => !ma.includes(x))])].filter((f) => f !== '??');
    const out: Check[] = [];
    if (differing.some((f) => TRACKED.has(f))) out.push(layout());
    const all = (f: string) => r.vmas.every((v) => v.flags.includes(f));
    const none = (f: string) => r.vmas.every((v) => !v.flags.includes(f));
    const has = differing.filter((f) => !TRACKED.has(f) && all(f));
    const lacks = differing.filter((f) => !TRACKED.has(f) && none(f));
    if (has.length) out.push(reg('flags', { flags: has }, 'has'));
    if (lacks.length) out.push(reg('flags', { flags: lacks }, 'lacks'));
    return out;
  }
  return [];
}

/**
 * The regression scenario for divergence `first` (the earliest one) of scenario
 * `s`: results from the host log, truncated after the diverging step, plus an
 * expect with the host's values of every path that diverged at that step.
 */
export function regressionScenario(s: Scenario, host: ObservationLog, divs: Divergence[], meta: { name: string; about: string[]; profile: string }): Scenario {
  const first = divs[0]!;
  const last = first.step >= 0 ? first.step : s.steps.length - 1;
  const steps: Step[] = s.steps.slice(0, last + 1).map((st, i) => (st.op === 'expect' ? st : { ...st, result: { default: hostResult(host, i), cases: [] } }) as Step);
  const snap = host.steps.find((o) => o.step === first.step)?.snapshot;
  const at = s.steps[last]!;
  if (snap) {
    const loc = { ...at.loc };
    const checks: Check[] = [];
    const seen = new Set<string>();
    for (const d of divs.filter((x) => x.step === first.step && x.path !== 'result')) {
      for (const c of checksFor(d, snap, loc)) {
        const key = JSON.stringify([c.region, c.field, c.op]);
        if (!seen.has(key)) { seen.add(key); checks.push(c); }
      }
    }
    if (checks.length) steps.push({ op: 'expect', loc, proc: at.proc, checks } as Step);
  }
  // The kernel's values hold on a machine like the host: its settings that differ from the
  // model's defaults become `requires name=value` (another machine SKIPs, naming them).
  const hostSettings = valuesOfLog(host.settings);
  const differ = Object.entries(hostSettings).filter(([k, v]) => MODEL_DEFAULTS[k as keyof typeof MODEL_DEFAULTS] !== v);
  const env = differ.length ? { ...s.env, settings: { ...s.env.settings, ...Object.fromEntries(differ) } } : s.env;
  return {
    ...s, name: meta.name, description: meta.about.join('\n'), tags: ['fuzz', 'regression'],
    // The kernel's values hold for the profile the model was checked as (a patch profile may differ by design).
    kernels: { profiles: [meta.profile], constraints: [] }, steps, env,
  };
}

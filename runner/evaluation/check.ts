// One expect clause against one snapshot: read the observed quantity the way
// SPEC §3.6 defines it, compare, and render both sides with units.
import type { Check, CheckValue, LayoutVma, Snapshot, VmaObservation } from '../../schema/generated/types.js';
import { PAGE, formatBytes, formatOffset, residentPages } from '../render/values.js';
import { mapMatches, renderResidentMap, type Intervals } from '../render/resident-map.js';

/** The VmFlags letters `layout` and the pictures compare (SPEC §3.6). */
export const TRACKED_FLAGS = ['lo', 'lf', 'dc', 'wf', 'gu', 'dp', 'ht', 'gd', 'io', 'pf', 'de'] as const;
const TRACKED = new Set<string>(TRACKED_FLAGS);

export type Observed =
  | { kind: 'bytes'; value: number }
  | { kind: 'count'; value: number }
  | { kind: 'state'; value: string }
  | { kind: 'map'; resident: Intervals; pages: number }
  | { kind: 'flags'; vmas: string[][] }
  | { kind: 'layout'; value: LayoutVma[] };

export interface CheckOutcome {
  pass: boolean;
  expected?: string;
  actual: string;
  unit: string;
  message?: string;
}

/** What the check observes, or an error text when it cannot be observed (unknown region). */
export function observe(check: Check, snap: Snapshot): Observed | string {
  if (check.region === undefined) {
    switch (check.field) {
      case 'locked_vm': return { kind: 'bytes', value: snap.status.VmLck };
      case 'pinned_vm': return { kind: 'bytes', value: snap.status.VmPin };
      case 'total_vm': return { kind: 'bytes', value: snap.status.VmSize };
      case 'rss': return { kind: 'bytes', value: snap.status.VmRSS };
      case 'locked': return { kind: 'bytes', value: snap.lockedTotal };
      case 'map_count': return { kind: 'count', value: snap.mapCount };
      case 'mcl_future': return { kind: 'state', value: snap.mclFuture };
      case 'sys_mlocked':
      case 'sys_unevictable':
        if (!snap.meminfo) return `${check.field} was not read (/proc/meminfo counters are read only for the steps that use them)`;
        if (check.field === 'sys_unevictable' && snap.meminfo.unevictableUnknown) return `the model cannot know sys_unevictable: ${snap.meminfo.unevictableUnknown}`;
        if (check.field === 'sys_mlocked' && snap.meminfo.mlockedUnknown) return `the model cannot know sys_mlocked: ${snap.meminfo.mlockedUnknown}`;
        return { kind: 'bytes', value: check.field === 'sys_mlocked' ? snap.meminfo.mlocked : snap.meminfo.unevictable };
      default: return `${check.field} needs a region (expect <region> ${check.field} …)`;
    }
  }
  const r = snap.regions[check.region];
  if (!r) return `region '${check.region}' is not bound in this process`;
  const sum = (k: 'rss' | 'pss' | 'locked' | 'anonymous' | 'anonHuge') => r.vmas.reduce((s, v) => s + v[k], 0);
  switch (check.field) {
    case 'rss':
    case 'pss':
    case 'locked':
    case 'anonymous':
      return { kind: 'bytes', value: sum(check.field) };
    case 'anon_huge': return { kind: 'bytes', value: sum('anonHuge') };
    case 'size': return { kind: 'bytes', value: r.vmas.reduce((s, v) => s + (v.end - v.start), 0) };
    case 'resident': return { kind: 'bytes', value: residentPages(r.resident) * PAGE };
    case 'resident_map': return { kind: 'map', resident: r.resident, pages: Math.ceil(r.len / PAGE) };
    case 'mlocked':
    case 'unevictable':
    case 'mlocked_map':
    case 'unevictable_map': {
      const iv = check.field.startsWith('mlocked') ? r.mlocked : r.unevictable;
      if (!iv) return `${check.field} of '${check.region}' was not read (page flags are read only for the steps that use them)`;
      const unknown = iv === r.unevictable ? r.unevictableUnknown : r.mlockedUnknown;
      if (unknown) return `the model cannot know ${check.field} of '${check.region}': ${unknown}`;
      return check.field.endsWith('_map') ? { kind: 'map', resident: iv, pages: Math.ceil(r.len / PAGE) } : { kind: 'bytes', value: residentPages(iv) * PAGE };
    }
    case 'vmas': return { kind: 'count', value: r.vmas.length };
    case 'flags': return { kind: 'flags', vmas: r.vmas.map((v) => v.flags) };
    case 'layout': return { kind: 'layout', value: r.vmas.map(layoutOf) };
    default: return `${check.field} is a process field; it takes no region`;
  }
}

export function layoutOf(v: VmaObservation): LayoutVma {
  return { start: v.start, end: v.end, prot: v.prot, shared: v.shared, flags: v.flags.filter((f) => TRACKED.has(f)) };
}

export function renderLayout(vmas: readonly LayoutVma[]): string {
  if (vmas.length === 0) return '(no VMA)';
  return vmas
    .map((v) => {
      const flags = v.flags.filter((f) => TRACKED.has(f));
      const share = v.shared === true ? ' shared' : '';
      return `[${formatOffset(v.start)}, ${formatOffset(v.end)}) ${v.prot}${share}${flags.length ? ' ' + flags.join(' ') : ''}`;
    })
    .join(' | ');
}

function renderValue(v: CheckValue): string {
  if (v.bytes !== undefined) return formatBytes(v.bytes);
  if (v.count !== undefined) return String(v.count);
  if (v.state !== undefined) return v.state;
  if (v.map !== undefined) return `"${v.map}"`;
  if (v.flags !== undefined) return v.flags.join(' ');
  if (v.layout !== undefined) return renderLayout(v.layout);
  return '(none)';
}

function renderObserved(o: Observed): string {
  switch (o.kind) {
    case 'bytes': return formatBytes(o.value);
    case 'count': return String(o.value);
    case 'state': return o.value;
    case 'map': return renderResidentMap(o.resident, o.pages);
    case 'flags': return o.vmas.length === 0 ? '(no VMA)' : o.vmas.map((f) => f.join(' ')).join(' | ');
    case 'layout': return renderLayout(o.value);
  }
}

const UNIT: Record<Observed['kind'], string> = { bytes: 'bytes', count: 'count', state: 'state', map: 'pages', flags: 'flags', layout: 'layout' };

function compareNumbers(a: number, op: Check['op'], b: number): boolean | undefined {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: return undefined;
  }
}

function sameLayout(actual: readonly LayoutVma[], want: readonly LayoutVma[]): boolean {
  if (actual.length !== want.length) return false;
  return want.every((w, i) => {
    const a = actual[i]!;
    const af = new Set(a.flags.filter((f) => TRACKED.has(f)));
    const wf = new Set(w.flags.filter((f) => TRACKED.has(f)));
    return (
      a.start === w.start && a.end === w.end && a.prot === w.prot &&
      (w.shared === undefined || w.shared === a.shared) &&
      af.size === wf.size && [...wf].every((f) => af.has(f))
    );
  });
}

function equality(op: Check['op'], equal: boolean): boolean | undefined {
  return op === '==' ? equal : op === '!=' ? !equal : undefined;
}

/** Compare; undefined when the operator does not apply to this kind of value. */
function holds(o: Observed, op: Check['op'], want: CheckValue): boolean | undefined {
  switch (o.kind) {
    case 'bytes': return want.bytes === undefined ? undefined : compareNumbers(o.value, op, want.bytes);
    case 'count': return want.count === undefined ? undefined : compareNumbers(o.value, op, want.count);
    case 'state': return want.state === undefined ? undefined : equality(op, o.value === want.state);
    case 'map': return want.map === undefined ? undefined : equality(op, mapMatches(o.resident, o.pages, want.map));
    case 'layout': return want.layout === undefined ? undefined : equality(op, sameLayout(o.value, want.layout));
    case 'flags': {
      if (want.flags === undefined) return undefined;
      // Over several VMAs: `has` means every VMA has every letter, `lacks` that none has any.
      if (op === 'has') return o.vmas.length > 0 && o.vmas.every((f) => want.flags!.every((w) => f.includes(w)));
      if (op === 'lacks') return o.vmas.every((f) => want.flags!.every((w) => !f.includes(w)));
      return undefined;
    }
  }
}

export function judge(check: Check, snap: Snapshot, want: CheckValue | undefined): CheckOutcome {
  const o = observe(check, snap);
  if (typeof o === 'string') {
    return { pass: false, actual: '(not observable)', unit: '', message: o, ...(want ? { expected: renderValue(want) } : {}) };
  }
  const actual = renderObserved(o);
  const unit = UNIT[o.kind];
  if (want === undefined) return { pass: true, actual, unit };
  const expected = renderValue(want);
  const ok = holds(o, check.op, want);
  if (ok === undefined) {
    return { pass: false, expected, actual, unit, message: `operator ${check.op} does not apply to ${check.field} (${unit})` };
  }
  return { pass: ok, expected, actual, unit };
}

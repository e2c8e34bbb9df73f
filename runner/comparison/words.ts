// An observation path of runner/comparison/compare-logs.ts in the language's words (SPEC §3.6):
// `status.VmLck` → `locked_vm`, `lockedTotal` → `locked`, `regions.buf.vmas[0].locked`
// → `buf locked`, and byte values as the language writes sizes (`8p (32 kB)`), so
// `mls compare` and `mls diff` speak as the scenario does, not as the IR.
import { formatBytes } from '../render/values.js';

const PROCESS: Record<string, string> = {
  'status.VmLck': 'locked_vm', 'status.VmPin': 'pinned_vm', 'status.VmSize': 'total_vm', 'status.VmRSS': 'rss',
  lockedTotal: 'locked', mapCount: 'map_count', mclFuture: 'mcl_future', result: 'result', outcome: 'outcome',
  reached: 'reached', snapshot: 'snapshot',
};
const VMA_FIELD: Record<string, string> = { anonHuge: 'anon_huge', range: 'range', prot: 'prot' };
const BYTES = new Set(['locked_vm', 'pinned_vm', 'total_vm', 'rss', 'locked', 'pss', 'anonymous', 'anon_huge', 'size']);

/** The field in the language's words; `vmas`: how many VMAs each region has (a VMA index is shown only when there are several). */
export function fieldWords(path: string, vmas?: (region: string) => number | undefined): { field: string; bytes: boolean } {
  const p = PROCESS[path];
  if (p !== undefined) return { field: p, bytes: BYTES.has(p) && p !== 'result' };
  const m = /^regions\.([A-Za-z_][A-Za-z0-9_]*)(?:\.(len|vmas|resident|mlocked|unevictable)(?:\[(\d+)\]\.(\w+))?)?$/.exec(path);
  if (!m) return { field: path, bytes: false };
  const [, region, part, index, leaf] = m;
  if (part === undefined) return { field: `${region} bound`, bytes: false };
  if (part === 'len') return { field: `${region} length`, bytes: true };
  if (part === 'resident') return { field: `${region} resident pages`, bytes: false };
  if (part === 'mlocked' || part === 'unevictable') return { field: `${region} ${part} pages`, bytes: false };
  if (index === undefined) return { field: `${region} layout`, bytes: false };
  const f = VMA_FIELD[leaf!] ?? leaf!;
  const several = (vmas?.(region!) ?? 1) > 1 || Number(index) > 0;
  return { field: `${region} ${f}${several ? ` (VMA ${Number(index) + 1})` : ''}`, bytes: BYTES.has(f) };
}

/** Page intervals `[[0,2],[4,5]]` → `pages 0-1, 4`. */
function pageRuns(v: unknown): string | undefined {
  if (!Array.isArray(v) || !v.every((x) => Array.isArray(x) && x.length >= 2)) return undefined;
  if (v.length === 0) return 'none';
  return 'pages ' + (v as number[][]).map(([a, b]) => (b! - a! === 1 ? `${a}` : `${a}-${b! - 1}`)).join(', ');
}

/** A value as the language writes it: sizes in pages and kB, residency as page runs. */
export function valueWords(v: unknown, bytes: boolean): string {
  if (v === undefined) return '(absent)';
  if (bytes && typeof v === 'number') return formatBytes(v);
  const runs = pageRuns(v);
  if (runs !== undefined) return runs;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

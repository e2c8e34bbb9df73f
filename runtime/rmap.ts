// Linux: mm/rmap.c — how many PTEs map a page (folio_precise_page_mapcount).
// Model: walk the page tables recorded in MemObject.tables (the anon_vma /
// address_space interval trees' job) and count the PTEs covering each index.
// The counts of an object are kept per MemObject.rmapGen (page-table.ts bumps it
// at every change of a run into the object): a snapshot after every step asks
// about the same vDSO and executable pages again and again.
import type { MapcountSegments, MemObject } from './pages.js';

export type { MapcountSegments } from './pages.js';

/** Cached segments of obj if still valid, else undefined. */
function cached(obj: MemObject): MapcountSegments | undefined {
  const c = obj.rmapCache;
  return c && c.gen === obj.rmapGen && c.ext === obj.externalMapcount ? c.segs : undefined;
}

/** Index of the first segment (sorted, disjoint) whose end is past index: segs.length when none. */
export function firstSegmentAfter(segs: MapcountSegments, index: number): number {
  let lo = 0, hi = segs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (segs[m]![1] <= index) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Mapcount of one page. */
export function mapcount(obj: MemObject, index: number): number {
  // A private anonymous page is mapped at most once per mm: one table, one PTE.
  if (obj.kind === 'anon' && obj.externalMapcount === 0 && obj.tables.size === 1) return 1;
  // The segment holding index (callers ask page by page: one rmap walk per generation);
  // outside every segment only other processes map it.
  const segs = mapcountSegments(obj);
  let lo = 0, hi = segs.length - 1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1, g = segs[m]!;
    if (index < g[0]) hi = m - 1;
    else if (index >= g[1]) lo = m + 1;
    else return g[2];
  }
  return obj.externalMapcount;
}

/**
 * Mapcounts over an object's index space (count >= 1), cached until the object's runs change.
 * A sweep over the sorted range starts and ends of every table (typed-array sorts): after
 * ten forks of a million-run mapping that is 11 M edges, where a Map of edges spent seconds.
 * Every distinct start or end is a segment boundary (as the per-key sweep always made them).
 */
export function mapcountSegments(obj: MemObject): MapcountSegments {
  const hit = cached(obj);
  if (hit) return hit;
  const starts: number[] = [], ends: number[] = [];
  for (const t of obj.tables) t.pushIndexRanges(obj, starts, ends);
  const S = Float64Array.from(starts).sort(), E = Float64Array.from(ends).sort();
  const out: MapcountSegments = [];
  let i = 0, j = 0, depth = 0;
  while (j < E.length) {
    const x = i < S.length && S[i]! < E[j]! ? S[i]! : E[j]!;
    while (i < S.length && S[i] === x) { depth++; i++; }
    while (j < E.length && E[j] === x) { depth--; j++; }
    if (j === E.length) break;
    const y = i < S.length && S[i]! < E[j]! ? S[i]! : E[j]!;
    if (depth > 0) out.push([x, y, depth + obj.externalMapcount]);
  }
  obj.rmapCache = { gen: obj.rmapGen, ext: obj.externalMapcount, segs: out };
  return out;
}

/** Segments for obj, or null when every mapped page has mapcount 1 (the common case). */
export function pssSegments(obj: MemObject): MapcountSegments | null {
  return obj.externalMapcount === 0 && obj.tables.size <= 1 && obj.kind === 'anon' ? null : mapcountSegments(obj);
}

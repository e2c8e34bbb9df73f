// Linux: mm/rmap.c — how many PTEs map a page (folio_precise_page_mapcount).
// Model: walk the page tables recorded in MemObject.tables (the anon_vma /
// address_space interval trees' job) and count the PTEs covering each index.
import type { MemObject, RmapTable } from './pages.js';

/** Mapcount of one page. */
export function mapcount(obj: MemObject, index: number): number {
  // A private anonymous page is mapped at most once per mm: one table, one PTE.
  if (obj.kind === 'anon' && obj.externalMapcount === 0 && obj.tables.size === 1) return 1;
  let n = obj.externalMapcount;
  for (const t of obj.tables) {
    for (const [s, e] of t.indexRangesOf(obj)) if (index >= s && index < e) n++;
  }
  return n;
}

/** Mapcounts over an object's index space as sorted segments [start, end, count] (count >= 1). */
export type MapcountSegments = Array<[number, number, number]>;

export function mapcountSegments(obj: MemObject, rangesIn: (t: RmapTable, obj: MemObject) => Array<[number, number]> = (t, o) => t.indexRangesOf(o)): MapcountSegments {
  const edges = new Map<number, number>();
  for (const t of obj.tables) {
    for (const [s, e] of rangesIn(t, obj)) {
      edges.set(s, (edges.get(s) ?? 0) + 1);
      edges.set(e, (edges.get(e) ?? 0) - 1);
    }
  }
  const keys = [...edges.keys()].sort((a, b) => a - b);
  const out: MapcountSegments = [];
  let depth = 0;
  for (let i = 0; i < keys.length - 1; i++) {
    depth += edges.get(keys[i]!)!;
    if (depth > 0) out.push([keys[i]!, keys[i + 1]!, depth + obj.externalMapcount]);
  }
  return out;
}

/** A cache of mapcount segments for one rendering pass (procfs). */
export class RmapCache {
  private cache = new Map<MemObject, MapcountSegments | null>();
  /** Each table walked once per pass, for all its objects (a snapshot asks about the vdso, the executable, …). */
  private byTable = new Map<RmapTable, Map<MemObject, Array<[number, number]>>>();
  private readonly rangesIn = (t: RmapTable, obj: MemObject): Array<[number, number]> => {
    let m = this.byTable.get(t);
    if (!m) this.byTable.set(t, (m = t.indexRangesByObject()));
    return m.get(obj) ?? [];
  };

  /** Segments for obj, or null when every mapped page has mapcount 1 (the common case). */
  segments(obj: MemObject): MapcountSegments | null {
    let s = this.cache.get(obj);
    if (s === undefined) {
      s = obj.externalMapcount === 0 && obj.tables.size <= 1 && obj.kind === 'anon' ? null : mapcountSegments(obj, this.rangesIn);
      this.cache.set(obj, s);
    }
    return s;
  }
}

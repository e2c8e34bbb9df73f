// The page table (runtime/page-table.ts over runtime/run-pool.ts) against the
// simplest possible reference: a Map from page to (object, index). Random map,
// unmap and anonymous-fault sequences around a PmdPage boundary (every 512 * 512
// pages) and far away; after each step the table must map exactly what the
// reference maps, keep its RSS counters and pass its structural check.
import t from 'tap';
import fc from 'fast-check';
import { PageTable } from '../../runtime/page-table.js';
import { MemObject } from '../../runtime/pages.js';

const EDGE = 3 * 512 * 512; // a PmdPage boundary
const FAR = 2 ** 34;
type Ref = Map<number, { obj: MemObject; index: number }>;

const op = fc.oneof(
  fc.record({ kind: fc.constant('map' as const), at: fc.integer({ min: -1200, max: 1200 }), len: fc.integer({ min: 1, max: 1100 }), obj: fc.nat(2), base: fc.nat(5000) }),
  fc.record({ kind: fc.constant('unmap' as const), at: fc.integer({ min: -1200, max: 1200 }), len: fc.integer({ min: 1, max: 1500 }) }),
  fc.record({ kind: fc.constant('fault' as const), at: fc.integer({ min: -1200, max: 1200 }), far: fc.boolean() }),
);

function compare(pt: PageTable, ref: Ref, objs: MemObject[]): string | null {
  const bad = pt.check();
  if (bad) return bad;
  const seen: Ref = new Map();
  for (const lo of [EDGE - 2400, FAR - 2400]) {
    pt.forEachIn(lo, lo + 4800, (s, e, obj, base) => { for (let p = s; p < e; p++) seen.set(p, { obj, index: base + (p - s) }); });
  }
  if (seen.size !== ref.size) return `table maps ${seen.size} pages, reference ${ref.size}`;
  for (const [p, v] of ref) {
    const got = seen.get(p), run = pt.lookup(p);
    if (!got || got.obj !== v.obj || got.index !== v.index) return `page ${p}: forEachIn disagrees`;
    if (!run || run.obj !== v.obj || run.base + (p - run.start) !== v.index || p < run.start || p >= run.end) return `page ${p}: lookup disagrees`;
  }
  const anon = [...ref.values()].filter((v) => v.obj.kind === 'anon').length;
  if (pt.rss.anon !== anon || pt.rss.file !== ref.size - anon) return `rss ${JSON.stringify(pt.rss)}, reference anon ${anon} of ${ref.size}`;
  for (const [a, b] of pt.indexRangesOf(objs[0]!)) for (let i = a; i < b; i++) if (![...ref.values()].some((v) => v.obj === objs[0] && v.index === i)) return `rmap range holds index ${i}`;
  return null;
}

t.test('map, unmap and anonymous faults agree with a per-page reference', async (t) => {
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
    const pt = new PageTable();
    const objs = [new MemObject('anon'), new MemObject('file', 'f'), new MemObject('file', 'g')];
    const ref: Ref = new Map();
    for (const o of ops) {
      if (o.kind === 'map') {
        const s = EDGE + o.at;
        pt.map(s, s + o.len, objs[o.obj]!, o.base);
        for (let i = 0; i < o.len; i++) ref.set(s + i, { obj: objs[o.obj]!, index: o.base + i });
      } else if (o.kind === 'unmap') {
        const s = EDGE + o.at, removed: Ref = new Map();
        pt.unmap(s, s + o.len, (a, b, obj, base) => { for (let p = a; p < b; p++) removed.set(p, { obj, index: base + (p - a) }); });
        for (let p = s; p < s + o.len; p++) {
          const r = ref.get(p), got = removed.get(p);
          if ((r === undefined) !== (got === undefined) || (r && (r.obj !== got!.obj || r.index !== got!.index))) throw new Error(`unmap reported page ${p} wrongly`);
          ref.delete(p);
        }
      } else {
        const p = (o.far ? FAR : EDGE) + o.at, had = ref.get(p);
        const run = pt.lookupOrMapOne(p, objs[0]!);
        if (pt.lastFresh === (had !== undefined)) throw new Error(`lookupOrMapOne(${p}): lastFresh ${pt.lastFresh} with page ${had ? '' : 'not '}mapped`);
        const index = run.base + (p - run.start);
        if (had) { if (had.obj !== run.obj || had.index !== index) throw new Error(`lookupOrMapOne(${p}) found another page`); }
        else ref.set(p, { obj: objs[0]!, index });
      }
      const bad = compare(pt, ref, objs);
      if (bad) throw new Error(`after ${JSON.stringify(o)}: ${bad}`);
    }
    // nextRunStart from an unmapped page: the first mapped page after it.
    for (let p = EDGE - 1300; p < EDGE + 2400; p += 97) {
      if (ref.has(p)) continue;
      let want = p + 1;
      while (want < p + 3000 && !ref.has(want)) want++;
      if (pt.nextRunStart(p, p + 3000) !== want) throw new Error(`nextRunStart(${p}) = ${pt.nextRunStart(p, p + 3000)}, want ${want}`);
    }
    pt.release();
    if (pt.runCount !== 0 || pt.check() !== null || objs.some((o) => o.tables.size !== 0)) throw new Error('release left state behind');
  }), { numRuns: 150 });
  t.pass('150 random sequences');
});

t.test('sequential faults extend one run per PMD; a run never crosses a PMD', async (t) => {
  const pt = new PageTable();
  const anon = new MemObject('anon');
  for (let p = 1000; p < 1000 + 2048; p++) pt.lookupOrMapOne(p, anon);
  t.equal(pt.runCount, 5, 'pages 1000..3047 span PMDs 1..5');
  t.equal(pt.rss.anon, 2048);
  t.same(pt.pieces(1000, 3048).map((r) => [r.start, r.end]), [[1000, 1024], [1024, 1536], [1536, 2048], [2048, 2560], [2560, 3048]]);
  t.equal(pt.check(), null);
  pt.unmap(1100, 2900);
  t.same(pt.allRuns().map((r) => [r.start, r.end, r.base]), [[1000, 1024, 0], [1024, 1100, 24], [2900, 3048, 1900]]);
  t.equal(pt.rss.anon, 248);
  t.equal(pt.check(), null);
});

t.test('a split in the middle of a run keeps both sides', async (t) => {
  const pt = new PageTable();
  const f = new MemObject('file', 'f');
  pt.map(10, 20, f, 100);
  pt.unmap(13, 15);
  t.same(pt.allRuns().map((r) => [r.start, r.end, r.base]), [[10, 13, 100], [15, 20, 105]]);
  pt.map(13, 15, f, 103);
  t.same(pt.allRuns().map((r) => [r.start, r.end, r.base]), [[10, 20, 100]], 'mapping the hole back joins both neighbours');
  t.equal(pt.runCount, 1);
  t.equal(pt.rss.file, 10);
});

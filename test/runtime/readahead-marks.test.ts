// PG_readahead marks, async mmap readahead and the large folios it reads (runtime/
// readahead.ts, ra-alloc.ts, fault.ts's fault-around). Expected values were observed on
// Linux 6.18.44 with a probe on ext4 on loop0 (/sys/class/bdi/7:0/read_ahead_kb 128:
// ra_pages 32; max_sectors_kb 1280): write an N-page file, fsync, POSIX_FADV_DONTNEED,
// mmap it read-only shared with MAP_FIXED at a 2 MiB-aligned address (so fault-around's
// 16-page windows start at file indexes divisible by 16, as in the PMD-aligned arena
// below), read one byte of the pages listed, and after each read take mincore of the file
// (`resident`) and the mapping's present PTEs from /proc/self/pagemap (`rss`). The probe
// also read /proc/kpageflags through a second, MADV_RANDOM mapping: the marks (PG_reclaim
// = PG_readahead) and folio sizes noted in the comments. The files are evicted here by a
// hole punch instead of FADV_DONTNEED; `mls diff` of the same scenario with TMPDIR on
// that loop mount agreed at every step.
import t from 'tap';
import type { StartImage } from '../../schema/generated/types.js';
import { compileSource } from '../../grammar/compile.js';
import { runOnModel } from '../../runner/targets/model.js';
import { DEFAULT_IMAGE } from '../../runtime/index.js';

type Range = [number, number];
/** One read: the page read, then the file's cached pages and the mapping's mapped page count. */
interface Step { read: number; resident: Range[]; rss: number }
interface Case { pages: number; advice?: string[]; steps: Step[] }

const CASES: Record<string, Case> = {
  // Read-around [48,80), mark 72; touching 72 reads [80,112) in order-2 folios, mark on
  // folio 80; fault-around of page 88 ([80,96)) maps whole folios: 84..95.
  'read-around, then the marked page': { pages: 128, steps: [
    { read: 64, resident: [[48, 80]], rss: 15 },
    { read: 72, resident: [[48, 112]], rss: 16 },
    { read: 88, resident: [[48, 112]], rss: 28 },
  ] },
  // Marks 24, then 32 (order-2 folios), 64 (order 4), 96 and 128 (order 5 = ilog2(32)).
  'sequential stream of a 300-page file': { pages: 300, steps: [
    { read: 0, resident: [[0, 32]], rss: 16 },
    { read: 16, resident: [[0, 32]], rss: 31 },
    { read: 24, resident: [[0, 64]], rss: 32 },
    { read: 32, resident: [[0, 96]], rss: 48 },
    { read: 40, resident: [[0, 96]], rss: 48 },
    { read: 56, resident: [[0, 96]], rss: 64 },
    { read: 64, resident: [[0, 128]], rss: 80 },
    { read: 80, resident: [[0, 128]], rss: 96 },
    { read: 96, resident: [[0, 160]], rss: 128 },
    { read: 128, resident: [[0, 192]], rss: 160 },
  ] },
  // page_cache_sync_ra: at index 0 a window with its mark halfway (16); elsewhere 32
  // pages from the fault, unmarked. Folio 32 (order 2) keeps its mark: 32..35 unmapped.
  'MADV_SEQUENTIAL': { pages: 200, advice: ['sequential'], steps: [
    { read: 0, resident: [[0, 32]], rss: 16 },
    { read: 16, resident: [[0, 64]], rss: 32 },
    { read: 40, resident: [[0, 64]], rss: 44 },
    { read: 64, resident: [[0, 96]], rss: 60 },
    { read: 100, resident: [[0, 96], [100, 132]], rss: 72 },
  ] },
  // MADV_RANDOM reads the page only; back to normal, read-around [44,76) around the
  // cached page 50 keeps its mark at 68; 68 reads [76,100) (to EOF) in order-2 folios.
  'MADV_RANDOM, then MADV_NORMAL': { pages: 100, advice: ['random'], steps: [
    { read: 50, resident: [[50, 51]], rss: 1 },
    { read: 60, resident: [[44, 76]], rss: 16 },
    { read: 68, resident: [[44, 100]], rss: 28 },
  ] },
};

const image: StartImage = { ...DEFAULT_IMAGE, readAheadKb: 128, maxSectorsKb: 1280 };

for (const [name, c] of Object.entries(CASES)) {
  t.test(name, async (t) => {
    const lines = [
      `scenario "${name}"`, 'kernel linux-6.18', 'arena = mmap 4M none private anon noreserve', `file f ${c.pages}p`,
      `a = mmap ${c.pages}p rw shared file f fixed arena`, `madvise a ${c.pages}p remove`, `munmap a ${c.pages}p`,
      `a = mmap ${c.pages}p r shared file f fixed arena`,
    ];
    // MADV_RANDOM applies to the first read only (MADV_NORMAL after it).
    if (c.advice) lines.push(`madvise a ${c.pages}p ${c.advice[0]}`);
    c.steps.forEach((s, i) => {
      lines.push(`read a + ${s.read}p 1p`);
      if (i === 0 && c.advice?.[0] === 'random') lines.push(`madvise a ${c.pages}p normal`);
    });
    const { scenario, messages } = compileSource(lines.join('\n') + '\n', 'readahead-marks.mls');
    t.same(messages.filter((m) => m.severity === 'error'), [], 'compiles');
    const log = runOnModel(scenario!, { kernel: 'linux-6.18', trace: true, timeoutMs: 60000, image });
    t.equal(log.outcome, 'completed', log.message ?? '');
    const reads = log.steps.filter((o) => scenario!.steps[o.step]!.op === 'read');
    t.equal(reads.length, c.steps.length, 'one snapshot per read');
    reads.forEach((step, i) => {
      const r = step.snapshot!.regions.a!;
      t.same(r.resident, c.steps[i]!.resident, `read ${c.steps[i]!.read}: cached pages`);
      t.equal(r.vmas.reduce((n, v) => n + Number(v.rss), 0), c.steps[i]!.rss * 4096, `read ${c.steps[i]!.read}: mapped pages`);
    });
  });
}

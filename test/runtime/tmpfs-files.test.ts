// A scenario's `file`s are shmem inodes when the start image says the executor's temp
// dir is tmpfs (StartImage.filesFs), regular files with readahead and writeback
// otherwise (runtime/files.ts). Every expected value below was recorded from the host
// kernel (Linux 6.18.44) with `mls record --target host` on this scenario: once with
// TMPDIR=/dev/shm/h2 (tmpfs, huge=never) and once with the default TMPDIR (/tmp, ext4
// on vda: read_ahead_kb 8192, max_sectors_kb 4096). The model must give the same from
// an image that says the same.
import t from 'tap';
import type { StartImage } from '../../schema/generated/types.js';
import { compileSource } from '../../grammar/compile.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { DEFAULT_IMAGE } from '../../runtime/index.js';

type Recorded = [string, string, string, string, string];

const source = (e: Recorded): string => `scenario "scenario files on tmpfs or ext4"
kernel linux-6.18

arena = mmap 4M none private anon noreserve
# Written with write(2), then msync MS_SYNC: ext4 writes them back (clean), shmem's fsync does nothing.
file f1 32p
mmap 32p rw shared file f1 populate fixed arena + 16p
msync arena + 16p 32p sync
madvise arena + 16p 32p pageout
expect ${e[0]}
# A read fault: fault-around (shmem: the cached window; ext4: readahead of the evicted file).
read arena + 20p
expect ${e[1]}
# Past EOF of a 1-page file in an empty PMD: only shmem's filemap_map_pages maps page 0.
file f2 1p
mmap 2p r private file f2 fixed arena + 528p
read arena + 529p => SIGBUS
expect ${e[2]}
# A hole after truncate: shmem_fault allocates one page, filemap_fault reads a window ahead.
file f3 64p
truncate f3 0
truncate f3 64p
mmap 64p r shared file f3 fixed arena + 640p
read arena + 672p
expect ${e[3]}
# A private COW page, then pageout: dirty shmem pages stay (no swap), the anon page too.
mmap 4p rw private file f1 fixed arena + 800p
write arena + 801p value 9
munmap arena + 16p 32p
madvise arena + 800p 4p pageout
expect ${e[4]}
`;

const RECORDED: Record<string, { image: StartImage; expect: Recorded }> = {
  'tmpfs (TMPDIR=/dev/shm/h2)': {
    image: { ...DEFAULT_IMAGE, readAheadKb: 0, maxSectorsKb: 0, filesFs: 'tmpfs' },
    expect: [
      'arena resident == 32p, arena rss == 0',
      'arena rss == 16p',
      'arena rss == 17p',
      'arena rss == 18p, arena resident == 34p',
      'arena rss == 3p, arena resident == 6p',
    ],
  },
  'ext4 (TMPDIR=/tmp)': {
    image: { ...DEFAULT_IMAGE, readAheadKb: 8192, maxSectorsKb: 4096, filesFs: 'other' },
    expect: [
      'arena resident == 0, arena rss == 0',
      'arena rss == 16p',
      'arena rss == 16p',
      'arena rss == 32p, arena resident == 97p',
      'arena rss == 17p, arena resident == 69p',
    ],
  },
};

for (const [name, rec] of Object.entries(RECORDED)) {
  t.test(name, async (t) => {
    const text = source(rec.expect);
    const { scenario, messages } = compileSource(text, 'tmpfs-files.mls');
    t.same(messages.filter((m) => m.severity === 'error'), [], 'compiles');
    const log = runOnModel(scenario!, { kernel: 'linux-6.18', trace: false, timeoutMs: 60000, image: rec.image });
    const r = evaluate(scenario!, log, 'linux-6.18', { source: text });
    const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message ?? c.status}`);
    t.same(failed, [], 'every recorded value');
    t.ok(r.checks.length >= 9, 'the checks ran');
    t.equal(r.outcome, 'PASS');
  });
}

t.test('an image without filesFs keeps regular files (the ext4 values)', async (t) => {
  const text = source(RECORDED['ext4 (TMPDIR=/tmp)']!.expect);
  const { scenario } = compileSource(text, 'tmpfs-files.mls');
  const log = runOnModel(scenario!, { kernel: 'linux-6.18', trace: false, timeoutMs: 60000, image: { ...DEFAULT_IMAGE } });
  t.equal(evaluate(scenario!, log, 'linux-6.18', { source: text }).outcome, 'PASS');
});

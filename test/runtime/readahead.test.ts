// The model's readahead windows follow the start image's backing device (readAheadKb,
// maxSectorsKb), not a constant. Expected windows were observed on Linux 6.18.44 with
// a probe (write an 8192-page file, fsync, POSIX_FADV_DONTNEED, mmap, one read at page
// 4096 or MADV_WILLNEED over the file, mincore after 200 ms): on the root disk (ext4 on
// vda: read_ahead_kb 8192, max_sectors_kb 4096) and on ext4 on loop0 after writing
// /sys/class/bdi/7:0/read_ahead_kb and /sys/block/loop0/queue/max_sectors_kb.
import t from 'tap';
import type { StartImage } from '../../schema/generated/types.js';
import { compileSource } from '../../grammar/compile.js';
import { runOnModel } from '../../runner/targets/model.js';
import { DEFAULT_IMAGE } from '../../runtime/index.js';

// The probe's three cases, the file evicted by a hole punch instead of FADV_DONTNEED.
const SOURCE = `scenario "readahead windows"
kernel linux-6.18

file f1 8192p
file f2 8192p
file f3 8192p
a = mmap 8192p rw shared file f1
madvise a 8192p remove
munmap a 8192p
a = mmap 8192p r shared file f1
read a + 4096p 1p
b = mmap 8192p rw shared file f2
madvise b 8192p remove
munmap b 8192p
b = mmap 8192p r shared file f2
madvise b 8192p sequential
read b + 4096p 1p
c = mmap 8192p rw shared file f3
madvise c 8192p remove
munmap c 8192p
c = mmap 8192p r shared file f3
madvise c 8192p willneed
expect a resident == 1p
`;

interface Observed { readAheadKb?: number; maxSectorsKb?: number; around: number[]; sequential: number[]; willneed: number[] }

const OBSERVED: Record<string, Observed> = {
  'vda (the test machine)': { readAheadKb: 8192, maxSectorsKb: 4096, around: [3072, 5120], sequential: [4096, 6144], willneed: [0, 2048] },
  'loop0 as set up by losetup': { readAheadKb: 2560, maxSectorsKb: 1280, around: [3776, 4416], sequential: [4096, 4736], willneed: [0, 640] },
  'loop0, read_ahead_kb 128': { readAheadKb: 128, maxSectorsKb: 1280, around: [4080, 4112], sequential: [4096, 4128], willneed: [0, 320] },
  'loop0, read_ahead_kb 512': { readAheadKb: 512, maxSectorsKb: 1280, around: [4032, 4160], sequential: [4096, 4224], willneed: [0, 320] },
  'loop0, read_ahead_kb 4096': { readAheadKb: 4096, maxSectorsKb: 1280, around: [3584, 4608], sequential: [4096, 5120], willneed: [0, 1024] },
  'loop0, read_ahead_kb 0': { readAheadKb: 0, maxSectorsKb: 1280, around: [4096, 4097], sequential: [4096, 4097], willneed: [0, 320] },
  'loop0, read_ahead_kb 128, max_sectors_kb 256': { readAheadKb: 128, maxSectorsKb: 256, around: [4080, 4112], sequential: [4096, 4128], willneed: [0, 64] },
  // An image without the fields: the model's default is the test machine's vda.
  'no readAheadKb in the image': { around: [3072, 5120], sequential: [4096, 6144], willneed: [0, 2048] },
};

const { scenario, messages } = compileSource(SOURCE, 'readahead.mls');
t.same(messages.filter((m) => m.severity === 'error'), [], 'compiles');

for (const [name, o] of Object.entries(OBSERVED)) {
  t.test(name, async (t) => {
    const image: StartImage = { ...DEFAULT_IMAGE };
    if (o.readAheadKb !== undefined) image.readAheadKb = o.readAheadKb;
    if (o.maxSectorsKb !== undefined) image.maxSectorsKb = o.maxSectorsKb;
    const log = runOnModel(scenario!, { kernel: 'linux-6.18', trace: true, timeoutMs: 60000, image });
    t.equal(log.outcome, 'completed', log.message ?? '');
    const regions = log.steps.at(-1)!.snapshot!.regions;
    t.same(regions.a!.resident, [o.around], 'read-around');
    t.same(regions.b!.resident, [o.sequential], 'MADV_SEQUENTIAL');
    t.same(regions.c!.resident, [o.willneed], 'MADV_WILLNEED');
  });
}

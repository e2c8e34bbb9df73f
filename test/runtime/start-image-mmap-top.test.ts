// Where top-down placement starts (runtime/image.ts, SPEC III.2): the executor's probe
// (StartImage.mmapTop) against the vdso rule. Expected addresses were observed in Debian's
// 6.1.0-57 guest (a static program under QEMU: /proc/self/maps, a one-page PROT_NONE mmap
// unmapped at once, then a 4 MiB PROT_NONE noreserve mmap) and for 6.18 on the test machine.
import t from 'tap';
import {
  DEFAULT_IMAGE, MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, System, buildProfile, loadImage, sysMmap, type Task,
} from '../../runtime/index.js';
import type { StartImage } from '../../schema/generated/types.js';

const L = (s: string): string[] => s.split(' ');

/** The 6.1 guest's image of one run: the vdso above the stack (arch/x86/entry/vdso/vma.c:vdso_addr). */
const GUEST_61: StartImage = {
  brkStart: '26e25000',
  vmas: [
    { start: '400000', end: '401000', prot: 'r--', shared: false, name: '/init', flags: L('rd mr mw me'), rss: 4096 },
    { start: '401000', end: '47a000', prot: 'r-x', shared: false, name: '/init', flags: L('rd ex mr mw me'), rss: 4096 },
    { start: '47a000', end: '4a2000', prot: 'r--', shared: false, name: '/init', flags: L('rd mr mw me'), rss: 4096 },
    { start: '4a2000', end: '4a6000', prot: 'r--', shared: false, name: '/init', flags: L('rd mr mw me ac'), rss: 4096 },
    { start: '4a6000', end: '4a9000', prot: 'rw-', shared: false, name: '/init', flags: L('rd wr mr mw me ac'), rss: 4096 },
    { start: '4a9000', end: '4af000', prot: 'rw-', shared: false, name: '', flags: L('rd wr mr mw me ac'), rss: 4096 },
    { start: '26e03000', end: '26e25000', prot: 'rw-', shared: false, name: '[heap]', flags: L('rd wr mr mw me ac'), rss: 4096 },
    { start: '7ffc18ff1000', end: '7ffc19012000', prot: 'rw-', shared: false, name: '[stack]', flags: L('rd wr mr mw me gd ac'), rss: 8192 },
    { start: '7ffc1918b000', end: '7ffc1918f000', prot: 'r--', shared: false, name: '[vvar]', flags: L('rd mr pf io de dd'), rss: 0 },
    { start: '7ffc1918f000', end: '7ffc19191000', prot: 'r-x', shared: false, name: '[vdso]', flags: L('rd ex mr mw me de'), rss: 4096 },
  ],
};

function arena(kernel: string, image: StartImage): bigint {
  const sys = new System(buildProfile(kernel)!);
  const task: Task = sys.newTask('main');
  loadImage(task, image);
  const r = sysMmap(task, { addr: 0n, len: 4n << 20n, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, file: null, offset: 0n });
  if (!r.ok) throw new Error('mmap failed');
  return r.value;
}

t.test('6.1: the arena ends where the probe page ended (no vdso marks mmap_base)', async (t) => {
  // Observed: probe end 7fc4b401e000, arena 7fc4b3c1e000 (not PMD-aligned: no THP alignment before 6.8).
  t.equal(arena('linux-6.1', { ...GUEST_61, mmapTop: '0x7fc4b401e000' }).toString(16), '7fc4b3c1e000');
  // Without the probe the model guesses 128 MiB below the stack: ASLR put mmap_base about 221 GiB below it.
  t.not(arena('linux-6.1', GUEST_61).toString(16), '7fc4b3c1e000', 'the guess is another address');
});

t.test('6.3+: a probe just below the vvar gives the vdso rule\'s base (the specials adjoin it)', async (t) => {
  const vvar = DEFAULT_IMAGE.vmas.find((v) => v.name === '[vvar]')!;
  const probed = arena('linux-6.18', { ...DEFAULT_IMAGE, mmapTop: vvar.start });
  t.equal(probed, arena('linux-6.18', DEFAULT_IMAGE));
  // 6.18.44 host: the vdso ends at mmap_base, the 4 MiB arena is PMD-aligned below the vvar.
  t.equal(probed % (2n << 20n), 0n);
  t.ok(probed + (4n << 20n) <= BigInt('0x' + vvar.start));
});

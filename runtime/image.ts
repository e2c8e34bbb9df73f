// The process image a scenario starts from.
//
// DEFAULT_IMAGE is the layout of a small static C program (gcc -static -O2, glibc,
// reading its own /proc/self/smaps) on the test machine (Linux 6.18.44 x86_64),
// addresses as observed in one run (ASLR moves them; scenarios only see offsets):
//
//   00400000-00401000 r--p  exe        4 kB  Rss 4      ELF header
//   00401000-00479000 r-xp  exe      480 kB  Rss 480    .text
//   00479000-004a0000 r--p  exe      156 kB  Rss 156    .rodata
//   004a0000-004a4000 r--p  exe       16 kB  Rss 16     RELRO (was rw: "ac")
//   004a4000-004a7000 rw-p  exe       12 kB  Rss 12     .data
//   004a7000-004ac000 rw-p            20 kB  Rss 4      .bss
//   1cbff000-1cc21000 rw-p  [heap]   136 kB  Rss 8      (static glibc's TLS setup uses brk)
//   7f8fcc4ea000-...  r--p  [vvar]    16 kB  pf io de dd
//   7f8fcc4ee000-...  r--p  [vvar_vclock] 8 kB
//   7f8fcc4f0000-...  r-xp  [vdso]     8 kB  Rss 4, Pss 0 (mapped by every process)
//   7ffcffe56000-7ffcffe77000 rw-p [stack] 132 kB  Rss 20  gd ac
//   ffffffffff600000 --xp [vsyscall] (the gate VMA: in maps, not in the mm)
//   VmSize 988 kB (no [vsyscall]); 12 lines in maps, map_count 11.
//
// A host executor can hand its own StartImage (schema/observation.schema.json) to
// the model instead; loadImage builds the same structures from either.
import type { StartImage } from '../schema/generated/types.js';
import { PAGE_SHIFT, PAGE_SIZE, TASK_SIZE_PAGES, VSYSCALL_PAGE } from './constants.js';
import type { Task } from './mm.js';
import { MemObject } from './pages.js';
import { backingDevFromImage } from './backing-dev.js';
import { OpenFile } from './file-ra.js';
import { boundingFromImage, execCreds } from './creds.js';
import { markClean } from './writeback.js';
import { AnonVma, Vma, VM_GROWSDOWN, VM_SOFTDIRTY, VM_WRITE, flagsFromLetters, type SpecialKind } from './vma.js';

const L = (s: string): string[] => s.split(' ');

export const DEFAULT_IMAGE: StartImage = {
  brkStart: '1cc21000',
  // CapBnd of root on the test machine (a container without CAP_SYS_RESOURCE, bit 24).
  capBnd: '000001fffeffffff',
  vmas: [
    { start: '400000', end: '401000', prot: 'r--', shared: false, name: '/mls/exe', flags: L('rd mr mw me'), rss: 4096 },
    { start: '401000', end: '479000', prot: 'r-x', shared: false, name: '/mls/exe', flags: L('rd ex mr mw me'), rss: 491520 },
    { start: '479000', end: '4a0000', prot: 'r--', shared: false, name: '/mls/exe', flags: L('rd mr mw me'), rss: 159744 },
    { start: '4a0000', end: '4a4000', prot: 'r--', shared: false, name: '/mls/exe', flags: L('rd mr mw me ac'), rss: 16384 },
    { start: '4a4000', end: '4a7000', prot: 'rw-', shared: false, name: '/mls/exe', flags: L('rd wr mr mw me ac'), rss: 12288 },
    { start: '4a7000', end: '4ac000', prot: 'rw-', shared: false, name: '', flags: L('rd wr mr mw me ac'), rss: 4096 },
    { start: '1cbff000', end: '1cc21000', prot: 'rw-', shared: false, name: '[heap]', flags: L('rd wr mr mw me ac'), rss: 8192 },
    { start: '7f8fcc4ea000', end: '7f8fcc4ee000', prot: 'r--', shared: false, name: '[vvar]', flags: L('rd mr pf io de dd'), rss: 0 },
    { start: '7f8fcc4ee000', end: '7f8fcc4f0000', prot: 'r--', shared: false, name: '[vvar_vclock]', flags: L('rd mr pf io de dd'), rss: 0 },
    { start: '7f8fcc4f0000', end: '7f8fcc4f2000', prot: 'r-x', shared: false, name: '[vdso]', flags: L('rd ex mr mw me de'), rss: 4096 },
    { start: '7ffcffe56000', end: '7ffcffe77000', prot: 'rw-', shared: false, name: '[stack]', flags: L('rd wr mr mw me gd ac'), rss: 20480 },
    { start: 'ffffffffff600000', end: 'ffffffffff601000', prot: '--x', shared: false, name: '[vsyscall]', flags: L('ex'), rss: 0 },
  ],
};

const hexBig = (hex: string): bigint => BigInt('0x' + hex.replace(/^0x/i, ''));
const page = (hex: string): number => Number(hexBig(hex) >> BigInt(PAGE_SHIFT));

/** An image VMA with its text fields decoded: what loadImage needs, parsed once per image. */
interface ParsedVma {
  iv: StartImage['vmas'][number];
  start: number;
  end: number;
  flags: number;
  droppable: boolean;
  rssPages: number;
  special: SpecialKind;
}

/**
 * Images are immutable once reported (the default one, or the host's for a
 * whole run): every scenario starts from one, so its hex addresses and flag
 * letters are decoded once, not per scenario.
 */
const VSYSCALL_START = Number(VSYSCALL_PAGE);
const parsedImages = new WeakMap<StartImage, ParsedVma[]>();

function parseImage(image: StartImage): ParsedVma[] {
  let parsed = parsedImages.get(image);
  if (parsed) return parsed;
  parsed = image.vmas.map((iv) => {
    const start = page(iv.start), end = page(iv.end);
    const { flags, droppable } = flagsFromLetters(iv.flags);
    const special: SpecialKind = iv.name === '[vdso]' ? 'vdso' : iv.name === '[vvar]' ? 'vvar' : iv.name === '[vvar_vclock]' ? 'vvar_vclock' : null;
    return { iv, start, end, flags, droppable, special, rssPages: Math.min(end - start, Math.floor(iv.rss / PAGE_SIZE)) };
  });
  parsedImages.set(image, parsed);
  return parsed;
}

/** Build the task's mm from an image (exec of the executor: what the kernel set up before main()). */
export function loadImage(t: Task, image: StartImage): void {
  const mm = t.mm, sys = t.system;
  // After execve the executor's capabilities come from the image's bounding set: all of
  // it as root, none as another user (a scenario's `user`, creds.ts:execCreds).
  t.creds = execCreds({ ...t.creds, bounding: boundingFromImage(image.capBnd) });
  // The filesystem of the scenario's files, as the host found it (the same after exec).
  sys.tmpBdi = backingDevFromImage(image);
  sys.tmpIsTmpfs = image.filesFs === 'tmpfs';
  const files = new Map<string, { obj: MemObject; open: OpenFile; minPg: number; maxPg: number }>();
  const specials: number[] = [];
  let stackStart = 0;
  for (const { iv, start, end, flags, droppable, rssPages, special } of parseImage(image)) {
    if (start === VSYSCALL_START) { mm.gate = true; continue; }
    if (start >= TASK_SIZE_PAGES) continue;
    let file: MemObject | null = null;
    let pgoff = start;
    if (iv.name.startsWith('/')) {
      let f = files.get(iv.name);
      if (!f) { f = { obj: new MemObject('file', iv.name), open: new OpenFile(), minPg: start, maxPg: end }; f.obj.bdi = sys.tmpBdi /* the executable's own device is not reported */; files.set(iv.name, f); }
      f.minPg = Math.min(f.minPg, start); f.maxPg = Math.max(f.maxPg, end);
      file = f.obj;
      pgoff = start - f.minPg;
    } else if (special) pgoff = 0;
    // With CONFIG_MEM_SOFT_DIRTY every VMA exec builds has VM_SOFTDIRTY: the ELF segments
    // and heap (vm_mmap, vm_brk_flags), the vdso/vvar (mm/vma.c:__install_special_mapping).
    // Not the stack: __bprm_mm_init gives it VM_SOFTDIRTY, but fs/exec.c:setup_arg_pages then
    // sets its flags to VM_STACK_FLAGS | def_flags through mprotect_fixup, which drops it
    // (seen in Debian's 6.1 and 6.12 guests, `mls diff --target vm`). A kernel's image already
    // says all this; the letters are added only to an image without them.
    const isStack = iv.name === '[stack]' || (flags & VM_GROWSDOWN) !== 0;
    const sd = sys.settings.softDirty && !isStack ? VM_SOFTDIRTY : 0;
    const v = new Vma(start, end, flags | sd, pgoff, file, special ? '' : iv.name, special);
    v.droppable = droppable;
    if (file) v.vmFile = files.get(iv.name)!.open;
    mm.vmas.insert(v);
    mm.statAccount(v.flags, v.pages);
    if (file && flags & VM_WRITE && !mm.endData) { mm.startData = start * PAGE_SIZE; mm.endData = end * PAGE_SIZE; }
    if (special) specials.push(end);
    // Pss below Rss means pages shared with other processes (the executor's binary,
    // pages still COW-shared with its parent); with mapcount 2, `shared` pages explain it.
    const shared = iv.pss !== undefined && iv.pss < iv.rss ? Math.min(rssPages, Math.round((2 * (iv.rss - iv.pss)) / PAGE_SIZE)) : 0;
    // Touched private memory has an anon_vma (chained to the parent's when pages are
    // still shared with it): it decides what later merges with this VMA.
    if (rssPages && !special && !iv.shared && (!file || flags & VM_WRITE)) v.anonVma = new AnonVma(shared > 0);
    if (iv.name === '[stack]' || flags & VM_GROWSDOWN) {
      stackStart = start;
      mm.startStack = end - 1;
      // The lowest resident stack page holds the running frame: growth starts below it.
      mm.stackPointer = end - Math.max(1, rssPages) + 1;
      mapAnon(t, end - rssPages, end, shared);
    } else if (special === 'vdso') {
      if (rssPages) mm.pt.map(start, start + rssPages, sys.vdso, 0);
    } else if (file) {
      if (rssPages) { file.cache.add(pgoff, pgoff + rssPages); mm.pt.map(start, start + rssPages, file, pgoff); }
      if (iv.pss !== undefined && iv.pss > 0 && rssPages) {
        file.externalMapcount = Math.max(file.externalMapcount, Math.round(iv.rss / iv.pss) - 1);
      }
    } else if (!special) {
      mapAnon(t, start, start + rssPages, shared);
    }
    if (iv.name === '[heap]') mm.startBrk = start * PAGE_SIZE;
  }
  for (const f of files.values()) {
    f.obj.sizeBytes = BigInt(f.maxPg - f.minPg) * BigInt(PAGE_SIZE);
    f.obj.cache.add(0, f.maxPg - f.minPg);
    // The executable was read from disk: its page-cache pages are clean.
    markClean(f.obj, 0, f.maxPg - f.minPg);
  }
  mm.brk = Number(hexBig(image.brkStart));
  if (!mm.startBrk) mm.startBrk = mm.brk;
  // Top-down mmaps start below the specials exec mapped (x86 since "x86/vdso: Move vDSO to mmap
  // region", v6.3: the vdso comes from get_unmapped_area). Before, arch/x86/entry/vdso/vma.c:vdso_addr
  // put the vdso just above the stack (Debian's 6.1 guest): those are not the mmap area, whose base
  // (arch/x86/mm/mmap.c:mmap_base) is at least 128 MiB below the stack's top.
  const below = stackStart ? specials.filter((e) => e <= stackStart) : specials;
  mm.mmapBase = below.length ? Math.max(...below) : stackStart ? stackStart - (128 << 20) / PAGE_SIZE : EMPTY_MMAP_BASE;
  // The executor's probe says where the kernel's top-down search really starts (the vdso
  // no longer marks it before 6.3, and ASLR moves mmap_base by pages): above the probed
  // page, and above any image VMAs adjoining it (6.3+: the vdso and vvar, at mmap_base).
  if (image.mmapTop !== undefined) {
    let top = page(image.mmapTop);
    for (let v = mm.vmas.lookup(top); v; v = mm.vmas.lookup(top)) top = v.end;
    mm.mmapBase = top;
  }
}

/** Resident anonymous pages of an image VMA; the first `shared` of them are also mapped by another process. */
function mapAnon(t: Task, start: number, end: number, shared: number): void {
  const mm = t.mm;
  if (start >= end) return;
  if (shared > 0) {
    const parent = new MemObject('anon', 'parent process');
    parent.externalMapcount = 1;
    mm.pt.map(start, start + shared, parent, parent.allocate(shared));
  }
  if (start + shared < end) mm.pt.map(start + shared, end, mm.anon, mm.anon.allocate(end - start - shared));
}

/** mmap_base for an image without vdso: just below a 128 MiB stack gap, as mm/util.c:mmap_base computes it. */
export const EMPTY_MMAP_BASE = TASK_SIZE_PAGES - (128 << 8);

/** `image empty`: no VMAs, no gate; brk at 16 MiB. */
export function loadEmpty(t: Task): void {
  t.mm.mmapBase = EMPTY_MMAP_BASE;
  t.mm.startBrk = t.mm.brk = 0x1000000;
}

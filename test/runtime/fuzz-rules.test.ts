// Rules found by `mls fuzz` (seed 11) that the shrunk scenarios in scenarios/fuzz/
// pin only in one configuration. Expected values were observed on the test machine
// (Linux 6.18.44) with the host target, never taken from the model.
import t from 'tap';
import {
  DEFAULT_IMAGE, MADV, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, System, capSetEffective, capable, exec,
  loadImage, sysMadvise, sysMmap, sysMremap, sysMunmap, touchPage, writeByte,
} from '../../runtime/index.js';
import { Pn, World } from './harness.js';

const MREMAP_MAYMOVE = 1n, MREMAP_FIXED = 2n;

t.test('credentials: the image bounding set, capset and exec (security/commoncap.c)', async (t) => {
  const sys = new System();
  const task = sys.newTask('main');
  loadImage(task, DEFAULT_IMAGE); // CapBnd 000001fffeffffff: no CAP_SYS_RESOURCE
  t.equal(capable(task, 'ipc_lock'), true);
  t.equal(capable(task, 'sys_resource'), false, 'not in the bounding set, so not effective');
  t.equal(capSetEffective(task, 'sys_resource', true), 'EPERM', 'raising outside the permitted set');
  t.equal(capSetEffective(task, 'ipc_lock', false), 0);
  t.equal(capable(task, 'ipc_lock'), false);
  t.equal(capSetEffective(task, 'ipc_lock', true), 0, 'a dropped capability stays permitted');
  capSetEffective(task, 'ipc_lock', false);
  exec(task, DEFAULT_IMAGE);
  t.equal(capable(task, 'ipc_lock'), true, 'exec gives root its bounding set back');
  t.equal(capable(task, 'sys_resource'), false);
  const full = sys.newTask('other');
  loadImage(full, { ...DEFAULT_IMAGE, capBnd: undefined });
  t.equal(capable(full, 'sys_resource'), true, 'an image without capBnd: every capability');
});

t.test('MADV_PAGEOUT frees clean page-cache pages and keeps dirty ones (shrink_folio_list)', async (t) => {
  const w = new World();
  // Shared anonymous: page 0 only read (clean shmem), page 1 written → host ".#".
  const a = w.map(2, 3, MAP_SHARED | MAP_ANONYMOUS);
  writeByte(w.t, a + Pn, 1);
  t.equal(w.res(() => sysMadvise(w.t, a, 2n * Pn, MADV.POPULATE_READ)), 'ok');
  t.equal(w.res(() => sysMadvise(w.t, a, 2n * Pn, MADV.PAGEOUT)), 'ok');
  t.equal(w.resident(a, 2), '.#');
  t.equal(w.rss(a, 2n * Pn), 0, 'both unmapped');
  // A file of 1 page grown to 3 by truncate: page 0 written by write(2), page 1 a hole
  // read in clean, page 2 written through the mapping → host "#.#".
  const f = w.file('f', 4096);
  f.sizeBytes = 3n * Pn;
  const b = w.map(3, 3, MAP_SHARED, f);
  for (let i = 0n; i < 3n; i++) touchPage(w.t, Number((b + i * Pn) / Pn), false);
  writeByte(w.t, b + 2n * Pn, 1);
  t.equal(w.res(() => sysMadvise(w.t, b, 3n * Pn, MADV.PAGEOUT)), 'ok');
  t.equal(w.resident(b, 3), '#.#');
});

t.test('mremap MREMAP_FIXED without resize moves every VMA of the range (remap_move, v6.17)', async (t) => {
  const w = new World();
  const arena = w.map(64, 0);
  const at = (p: number): bigint => arena + BigInt(p) * Pn;
  const fixed = (p: number, prot: number, flags: number): void => {
    const r = w.call(() => sysMmap(w.t, { addr: at(p), len: Pn, prot, flags: flags | MAP_FIXED, file: null, offset: 0n }));
    if (!r.ok) throw new Error('mmap');
  };
  fixed(4, 3, MAP_SHARED | MAP_ANONYMOUS);
  fixed(5, 3, MAP_PRIVATE | MAP_ANONYMOUS);
  t.equal(w.res(() => sysMunmap(w.t, at(6), Pn)), 'ok');
  fixed(7, 1, MAP_PRIVATE | MAP_ANONYMOUS);
  // [4,5) shared, [5,6) private, hole [6,7), [7,8) read-only → moved to 40 with the gap
  // kept: each piece unmaps only its own destination, so the arena stays at [42,43).
  // Host (6.18.44): [40p, 41p) rw- shared | [41p, 42p) rw- | [42p, 43p) --- | [43p, 44p) r--.
  t.equal(w.res(() => sysMremap(w.t, at(4), 4n * Pn, 4n * Pn, MREMAP_MAYMOVE | MREMAP_FIXED, at(40))), 'ok');
  const pg = (p: number): number => Number(at(p) / Pn);
  t.same(w.vmas(at(40), 4n * Pn).map((v) => [v.start, v.end, v.flags.join(' ')]), [
    [pg(40), pg(41), 'rd wr sh mr mw me ms'], [pg(41), pg(42), 'rd wr mr mw me ac'], [pg(42), pg(43), 'mr mw me'],
    [pg(43), pg(44), 'rd mr mw me'],
  ]);
  t.equal(w.vmas(at(4), 4n * Pn).length, 0, 'the source range is gone');
  // A hole at the start of the range is EFAULT (host: EFAULT).
  t.equal(w.res(() => sysMremap(w.t, at(6), 4n * Pn, 4n * Pn, MREMAP_MAYMOVE | MREMAP_FIXED, at(50))), 'EFAULT');
});

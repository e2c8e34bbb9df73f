// runner/targets/vm/cpio.ts: the newc archive read back field by field, as the
// kernel's init/initramfs.c reads it (110-byte header, name and data padded to 4).
import t from 'tap';
import { cpioArchive } from '../../runner/targets/vm/cpio.js';

interface Read { name: string; mode: number; nlink: number; size: number; rdev: [number, number]; data: Buffer; offset: number }

function readArchive(b: Buffer): Read[] {
  const out: Read[] = [];
  let o = 0;
  for (;;) {
    const h = b.toString('latin1', o, o + 110);
    if (h.slice(0, 6) !== '070701') throw new Error(`bad magic at ${o}: ${h.slice(0, 6)}`);
    const f = (i: number) => parseInt(h.slice(6 + 8 * i, 14 + 8 * i), 16);
    const nameSize = f(11), size = f(6);
    const name = b.toString('utf8', o + 110, o + 110 + nameSize - 1);
    const dataAt = Math.ceil((o + 110 + nameSize) / 4) * 4;
    out.push({ name, mode: f(1), nlink: f(4), size, rdev: [f(9), f(10)], data: b.subarray(dataAt, dataAt + size), offset: o });
    o = Math.ceil((dataAt + size) / 4) * 4;
    if (name === 'TRAILER!!!') break;
  }
  if (o !== b.length) throw new Error(`${b.length - o} bytes after the trailer`);
  return out;
}

t.test('entries come back with their kind, mode, device numbers and data, 4-byte aligned', async (t) => {
  const exe = Buffer.from('\x7fELF and then some odd-length bytes');
  const a = cpioArchive([
    { kind: 'dir', path: 'dev' },
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'dir', path: '/tmp', mode: 0o1777 },
    { kind: 'file', path: 'init', data: exe, mode: 0o755 },
    { kind: 'file', path: 'modules/00-virtio_ring.ko', data: Buffer.alloc(3, 7) },
  ]);
  const r = readArchive(a);
  t.same(r.map((e) => e.name), ['dev', 'dev/console', 'tmp', 'init', 'modules/00-virtio_ring.ko', 'TRAILER!!!']);
  t.equal(r[0]!.mode, 0o040755, 'a directory, 0755 by default');
  t.equal(r[0]!.nlink, 2);
  t.equal(r[1]!.mode, 0o020600, '/dev/console is a character device');
  t.same(r[1]!.rdev, [5, 1]);
  t.equal(r[2]!.mode, 0o041777, 'a leading slash is dropped, the sticky mode kept');
  t.equal(r[3]!.mode, 0o100755);
  t.same(r[3]!.data, exe);
  t.same(r[4]!.data, Buffer.alloc(3, 7));
  for (const e of r) t.equal(e.offset % 4, 0, `${e.name} starts 4-byte aligned`);
  t.equal(a.length % 4, 0);
});

t.test('a path that is empty or holds a NUL is refused', async (t) => {
  t.throws(() => cpioArchive([{ kind: 'dir', path: '/' }]), /bad path/);
  t.throws(() => cpioArchive([{ kind: 'file', path: 'a\0b', data: Buffer.alloc(0) }]), /bad path/);
});

// runner/targets/host/backing-dev.ts: which sysfs files give the read-ahead of the
// filesystem holding a directory. A fake sysfs tree stands in for /sys, keyed by the
// real st_dev of a temp dir (its layout copied from this host's: /sys/class/bdi/254:0,
// /sys/dev/block/254:0 -> ../../devices/.../block/vda with queue/max_sectors_kb).
// filesFsOf (tmpfs or not) is checked against the kernel's mount table, and a host run
// from a TMPDIR on tmpfs must say so in its start image.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { backingDevOf, backingDevOfFs, filesFsId, filesFsOf, type FsId, type Sources } from '../../runner/targets/host/backing-dev.js';
import { parseMountLine } from '../../runner/targets/host/mountinfo.js';
import { createHostTarget } from '../../runner/targets/host.js';
import * as ir from './ir.js';

const dir = mkdtempSync(join(tmpdir(), 'mls-bdi-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const dev = BigInt(statSync(dir).dev);
const mm = `${(dev >> 8n) & 0xfffn}:${(dev & 0xffn) | ((dev >> 12n) & ~0xffn)}`;
// tmpfs, btrfs, overlayfs…: st_dev is an anonymous 0:N, not a block device's number.
const notBlockDev = mm.startsWith('0:');

function fakeSys(name: string, build: (sys: string) => void): string {
  const sys = join(dir, name);
  mkdirSync(sys, { recursive: true });
  build(sys);
  return sys;
}
const put = (path: string, text: string): void => { mkdirSync(join(path, '..'), { recursive: true }); writeFileSync(path, text); };

t.test('a whole disk: its bdi read_ahead_kb and its queue max_sectors_kb', { skip: notBlockDev && 'temp dir not on a block device' }, async (t) => {
  const sys = fakeSys('disk', (sys) => {
    put(join(sys, 'class/bdi', mm, 'read_ahead_kb'), '8192\n');
    put(join(sys, 'devices/vda/queue/max_sectors_kb'), '4096\n');
    mkdirSync(join(sys, 'dev/block'), { recursive: true });
    symlinkSync('../../devices/vda', join(sys, 'dev/block', mm));
  });
  t.same(backingDevOf(dir, sys), { readAheadKb: 8192, maxSectorsKb: 4096 });
});

t.test('a partition: the bdi and queue of its disk', { skip: notBlockDev && 'temp dir not on a block device' }, async (t) => {
  const sys = fakeSys('part', (sys) => {
    put(join(sys, 'class/bdi/8:0/read_ahead_kb'), '128\n');
    put(join(sys, 'devices/sda/dev'), '8:0\n');
    put(join(sys, 'devices/sda/queue/max_sectors_kb'), '1280\n');
    put(join(sys, 'devices/sda/sda1/partition'), '1\n');
    mkdirSync(join(sys, 'dev/block'), { recursive: true });
    symlinkSync('../../devices/sda/sda1', join(sys, 'dev/block', mm));
    symlinkSync('../../devices/sda', join(sys, 'dev/block/8:0'));
  });
  t.same(backingDevOf(dir, sys), { readAheadKb: 128, maxSectorsKb: 1280 });
});

t.test('a bdi without a request queue: bdi_alloc io_pages (128 kB)', { skip: notBlockDev && 'temp dir not on a block device' }, async (t) => {
  const sys = fakeSys('noqueue', (sys) => put(join(sys, 'class/bdi', mm, 'read_ahead_kb'), '512\n'));
  t.same(backingDevOf(dir, sys), { readAheadKb: 512, maxSectorsKb: 128 });
});

t.test('no bdi for the device: unknown, the model keeps its default', { skip: notBlockDev && 'temp dir not on a block device' }, async (t) => {
  t.equal(backingDevOf(dir, fakeSys('none', () => {})), undefined);
  t.equal(backingDevOf(join(dir, 'missing'), '/sys'), undefined);
});

t.test('tmpfs: the noop bdi reads nothing ahead', { skip: !statSync('/dev/shm', { throwIfNoEntry: false }) && 'no /dev/shm' }, async (t) => {
  t.same(backingDevOf('/dev/shm', fakeSys('tmpfs', () => {})), { readAheadKb: 0, maxSectorsKb: 0 });
});

/** The fstype of the mount holding `path`, from /proc/self/mounts (the longest mount point prefix; the last one mounted wins). */
function mountType(path: string): string | undefined {
  const real = realpathSync(path);
  let best: { dir: string; type: string } | undefined;
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, rawDir, type] = line.split(' ');
    if (!rawDir || !type) continue;
    const dir = rawDir.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = dir === '/' || real === dir || real.startsWith(dir + '/');
    if (inside && (!best || dir.length >= best.dir.length)) best = { dir, type };
  }
  return best?.type;
}

const shmIsTmpfs = statSync('/dev/shm', { throwIfNoEntry: false }) !== undefined && mountType('/dev/shm') === 'tmpfs';

t.test('filesFsOf: tmpfs where the mount table says tmpfs, other elsewhere', async (t) => {
  if (shmIsTmpfs) t.equal(filesFsOf('/dev/shm'), 'tmpfs', '/dev/shm');
  // The temp dir of this run: ext4 on the test machine, tmpfs on many others.
  t.equal(filesFsOf(dir), mountType(dir) === 'tmpfs' ? 'tmpfs' : 'other', `${dir} (${mountType(dir)})`);
  t.equal(filesFsOf('/proc'), 'other', 'procfs is not tmpfs');
  t.equal(filesFsOf(join(dir, 'missing')), undefined, 'no such dir: the image does not say');
});

t.test('a host run from a TMPDIR on tmpfs reports filesFs tmpfs and the noop bdi', { skip: !shmIsTmpfs && 'no tmpfs at /dev/shm' }, async (t) => {
  const host = createHostTarget();
  const a = await host.available();
  if (!a.ok) { t.skip(a.reason); return; }
  const s = ir.scenario([ir.file('f', 4 * ir.P), ir.mmap('m', 4 * ir.P, { file: 'f' }), ir.access('read', ir.at('m'), ir.b(1))]);
  const saved = process.env.TMPDIR;
  const shm = mkdtempSync('/dev/shm/mls-bdi-');
  t.teardown(() => rmSync(shm, { recursive: true, force: true }));
  try {
    process.env.TMPDIR = shm; // os.tmpdir(), read when the session makes its temp dir
    const log = await host.run(s, { kernel: 'host', trace: false, timeoutMs: 10000 });
    t.equal(log.outcome, 'completed', log.message ?? '');
    t.equal(log.image?.filesFs, 'tmpfs');
    t.equal(log.image?.readAheadKb, 0);
    t.equal(log.image?.maxSectorsKb, 0);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const log = await host.run(s, { kernel: 'host', trace: false, timeoutMs: 10000 });
  t.equal(log.image?.filesFs, mountType(tmpdir()) === 'tmpfs' ? 'tmpfs' : 'other', `default TMPDIR ${tmpdir()}`);
});

// Overlayfs and btrfs: their st_dev names no block device. A fake mount table and
// fake statfs/stat stand in for the kernel's (lines copied from this host's
// /proc/self/mountinfo with an overlay on an ext4 loop device and a btrfs on another).
const OVERLAY = 0x794c7630, EXT4 = 0xef53, BTRFS = 0x9123683e, TMPFS = 0x01021994;
const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
  '42 27 7:0 / /b/ext4 rw,relatime - ext4 /dev/loop0 rw',
  '45 27 0:39 / /b/ovl rw,relatime - overlay overlay rw,lowerdir=/b/ext4/lower,upperdir=/b/ext4/up\\054per,workdir=/b/ext4/work,uuid=on',
  '46 27 0:40 / /b/rel rw,relatime - overlay overlay rw,lowerdir=lower,upperdir=upper,workdir=work',
  '47 27 0:41 / /b/btrfs rw,relatime - btrfs /dev/loop1 rw,discard=async,space_cache=v2,subvolid=5,subvol=/',
  '48 27 0:43 / /b/shmovl rw,relatime - overlay overlay rw,lowerdir=/dev/shm/l,upperdir=/dev/shm/u,workdir=/dev/shm/w',
].join('\n');

function fakeSources(sys: string, dirs: Record<string, FsId>, mountinfo: string | undefined = MOUNTINFO): Sources {
  return { sys, mountinfo: () => mountinfo, fsOf: (d) => dirs[d] };
}

t.test('mountinfo: super options are split on raw commas and unescaped', async (t) => {
  const m = parseMountLine(MOUNTINFO.split('\n')[2]!);
  t.equal(m?.dev, '0:39');
  t.equal(m?.point, '/b/ovl');
  t.equal(m?.superOptions.get('upperdir'), '/b/ext4/up,per');
  t.equal(m?.superOptions.get('uuid'), 'on');
  t.equal(parseMountLine('garbage'), undefined);
});

t.test('overlayfs: the bdi of the upper layer', async (t) => {
  const sys = fakeSys('ovl', (sys) => {
    put(join(sys, 'class/bdi/7:0/read_ahead_kb'), '128\n');
    put(join(sys, 'devices/virtual/block/loop0/queue/max_sectors_kb'), '1280\n');
    mkdirSync(join(sys, 'dev/block'), { recursive: true });
    symlinkSync('../../devices/virtual/block/loop0', join(sys, 'dev/block/7:0'));
  });
  const src = fakeSources(sys, { '/b/ext4/up,per': { type: EXT4, dev: '7:0', path: '/b/ext4/up,per' } });
  t.same(backingDevOfFs(filesFsId({ type: OVERLAY, dev: '0:39', path: '/b/ovl/t' }, src)!, src), { readAheadKb: 128, maxSectorsKb: 1280 });
  t.equal(filesFsId({ type: OVERLAY, dev: '0:40', path: '/b/rel/t' }, src), undefined, 'a relative upperdir: unknown');
  const hidden = fakeSources(sys, {});
  t.equal(filesFsId({ type: OVERLAY, dev: '0:39', path: '/b/ovl' }, hidden), undefined, "a container's upper layer, not visible here: unknown");
  t.equal(filesFsId({ type: OVERLAY, dev: '0:39', path: '/b/ovl' }, fakeSources(sys, {}, undefined)), undefined, 'no mount table: unknown');
});

t.test('overlayfs over tmpfs: the files are shmem, nothing read ahead', async (t) => {
  const src = fakeSources(fakeSys('shmovl', () => {}), {
    '/b/shmovl/t': { type: OVERLAY, dev: '0:43', path: '/b/shmovl/t' },
    '/dev/shm/u': { type: TMPFS, dev: '0:23', path: '/dev/shm/u' },
  });
  t.equal(filesFsOf('/b/shmovl/t', src), 'tmpfs');
  t.same(backingDevOf('/b/shmovl/t', src.sys, src), { readAheadKb: 0, maxSectorsKb: 0 });
});

t.test('btrfs: the named bdi linked from /sys/fs/btrfs/<fsid>, found by the mount source', async (t) => {
  const sys = fakeSys('btrfs', (sys) => {
    put(join(sys, 'devices/virtual/bdi/btrfs-1/read_ahead_kb'), '4096\n');
    mkdirSync(join(sys, 'class/bdi'), { recursive: true });
    symlinkSync('../../devices/virtual/bdi/btrfs-1', join(sys, 'class/bdi/btrfs-1'));
    const other = join(sys, 'fs/btrfs/0e6c1f1a-0000-4000-8000-000000000000');
    mkdirSync(join(other, 'devices'), { recursive: true });
    symlinkSync('../../../../devices/virtual/block/loop7', join(other, 'devices/loop7'));
    symlinkSync('../../../devices/virtual/bdi/btrfs-9', join(other, 'bdi'));
    const fsid = join(sys, 'fs/btrfs/a0820454-eded-4b96-969e-a841a32cdf93');
    mkdirSync(join(fsid, 'devices'), { recursive: true });
    symlinkSync('../../../../devices/virtual/block/loop1', join(fsid, 'devices/loop1'));
    symlinkSync('../../../devices/virtual/bdi/btrfs-1', join(fsid, 'bdi'));
    mkdirSync(join(sys, 'fs/btrfs/features'), { recursive: true });
  });
  // st_dev 0:42, not the superblock's 0:41: a btrfs inode reports its subvolume's anon dev.
  const src = fakeSources(sys, { '/b/btrfs/t': { type: BTRFS, dev: '0:42', path: '/b/btrfs/t' } });
  t.same(backingDevOf('/b/btrfs/t', sys, src), { readAheadKb: 4096, maxSectorsKb: 128 }, 'no queue: bdi_alloc io_pages');
  const elsewhere = fakeSources(sys, { '/x': { type: BTRFS, dev: '0:50', path: '/x' } });
  t.equal(backingDevOf('/x', sys, elsewhere), undefined, 'no btrfs mount holds the path: unknown');
});

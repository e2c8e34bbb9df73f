// The read-ahead of the filesystem that holds a scenario's files (the session's
// temp dir), for the StartImage: the model's readahead windows follow it.
//
// A file's read-ahead window is file->f_ra.ra_pages, copied at open from its inode's
// backing device (mm/readahead.c:file_ra_state_init: inode_to_bdi(...)->ra_pages, the
// bdi's read_ahead_kb); MADV_WILLNEED reads up to max(bdi->io_pages, ra_pages)
// (mm/readahead.c:force_page_cache_ra), io_pages being the queue's max_sectors_kb
// (block/blk-settings.c:blk_apply_bdi_limits). Both observed on 6.18 with an ext4
// loop device whose read_ahead_kb and max_sectors_kb were changed (test/host/backing-dev.test.ts).
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, statfsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { mountOfDev, mountOfPath, parseMountinfo, readMountinfo, type MountEntry } from './mountinfo.js';

export interface BackingDev {
  /** The bdi's read_ahead_kb (ra_pages × 4). */
  readAheadKb: number;
  /** The queue's max_sectors_kb (io_pages × 4). */
  maxSectorsKb: number;
}

/** include/uapi/linux/magic.h */
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;
const OVERLAYFS_SUPER_MAGIC = 0x794c7630;
const BTRFS_SUPER_MAGIC = 0x9123683e;
/** Overlays stacked on overlays (an upper dir on another overlay) followed at most this deep. */
const MAX_STACK = 4;
/** VM_READAHEAD_PAGES × 4: what mm/backing-dev.c:bdi_alloc gives a bdi without a request queue. */
const BDI_ALLOC_KB = 128;

/** glibc's gnu_dev_major/gnu_dev_minor on the dev_t Node reports (built by makedev from statx). */
function majorMinor(dev: number): string {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

const readKb = (path: string): number | undefined => {
  try {
    const n = Number(readFileSync(path, 'latin1').trim());
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The bdi of a block device: a disk's own ("M:m" in /sys/class/bdi); a partition
 * has none and uses its disk's (block/partitions: the bdev's bd_disk->bdi).
 */
function blockBdi(mm: string, sys: string): string | undefined {
  if (existsSync(join(sys, 'class/bdi', mm))) return mm;
  try {
    const dev = realpathSync(join(sys, 'dev/block', mm));
    if (!existsSync(join(dev, 'partition'))) return undefined;
    const parent = readFileSync(join(dev, '..', 'dev'), 'latin1').trim();
    return existsSync(join(sys, 'class/bdi', parent)) ? parent : undefined;
  } catch {
    return undefined;
  }
}

/** A filesystem as statfs(2) and stat(2) of a directory on it name it. */
export interface FsId {
  /** statfs f_type (include/uapi/linux/magic.h). */
  type: number;
  /** st_dev, "major:minor". */
  dev: string;
  /** The directory, symlinks resolved. */
  path: string;
}

/** Where backingDevOf looks; tests point each at a fake. */
export interface Sources {
  /** The sysfs mount. */
  sys: string;
  /** The mount table text (/proc/self/mountinfo); undefined when unreadable. */
  mountinfo: () => string | undefined;
  /** statfs + stat of a directory, undefined when either fails. */
  fsOf: (dir: string) => FsId | undefined;
}

/** The real statfs/stat of `dir`. */
export function fsIdOf(dir: string): FsId | undefined {
  try {
    return { type: Number(statfsSync(dir).type), dev: majorMinor(statSync(dir).dev), path: realpathSync(dir) };
  } catch {
    return undefined;
  }
}

const hostSources = (sys: string): Sources => ({ sys, mountinfo: () => readMountinfo(), fsOf: fsIdOf });

/**
 * The filesystem whose pages back the files created in a directory of `fs`: the
 * overlay's upper layer for overlayfs (new files live there, and an overlay file's
 * mmap, read and fadvise go to that real file: fs/overlayfs/file.c:ovl_mmap sets
 * vma->vm_file to it, ovl_read_iter and ovl_fadvise call into it), else `fs`
 * itself. Undefined when the upper layer cannot be found: no upperdir option (a
 * read-only overlay), a relative one (kept as given at mount time), or a path
 * outside this mount namespace (a container's overlay, whose layers are host paths).
 */
export function filesFsId(fs: FsId, src: Sources, depth = 0): FsId | undefined {
  if (fs.type !== OVERLAYFS_SUPER_MAGIC) return fs;
  if (depth >= MAX_STACK) return undefined;
  const upper = mountOf(fs, 'overlay', src)?.superOptions.get('upperdir');
  if (!upper || !isAbsolute(upper)) return undefined;
  const real = src.fsOf(upper);
  return real && filesFsId(real, src, depth + 1);
}

/**
 * The mount entry of the filesystem `fs` of type `fstype`: by st_dev, which is the
 * superblock's s_dev on overlayfs, but not on btrfs, whose inodes report their
 * subvolume's anonymous device (fs/btrfs/inode.c:btrfs_getattr, root->anon_dev),
 * even in the top-level subvolume; then by the mount point holding the path.
 */
function mountOf(fs: FsId, fstype: string, src: Sources): MountEntry | undefined {
  const text = src.mountinfo();
  if (text === undefined) return undefined;
  const mounts = parseMountinfo(text).filter((m) => m.fstype === fstype);
  return mountOfDev(mounts, fs.dev) ?? mountOfPath(mounts, fs.path);
}

/** The kernel names a block device's source may go by: /dev/loop1 → loop1, /dev/mapper/x → dm-0. */
function kernelNames(source: string, sys: string): string[] {
  const names = new Set<string>([basename(source)]);
  try {
    names.add(basename(realpathSync(source)));
    const st = statSync(source);
    if (st.isBlockDevice()) names.add(basename(realpathSync(join(sys, 'dev/block', majorMinor(st.rdev)))));
  } catch {
    // a source not visible here (a container's /dev): its own name may still match
  }
  return [...names];
}

/**
 * A btrfs filesystem's named bdi ("btrfs-N": fs/super.c:super_setup_bdi, its st_dev
 * being an anonymous 0:N). fs/btrfs/sysfs.c:btrfs_sysfs_add_mounted links
 * /sys/fs/btrfs/<fsid>/bdi to it, and lists the filesystem's block devices under
 * /sys/fs/btrfs/<fsid>/devices/<name> (btrfs_sysfs_add_device): the fsid whose
 * devices hold the mount's source is the one.
 */
function btrfsBdi(mount: MountEntry, sys: string): string | undefined {
  let fsids: string[];
  try {
    fsids = readdirSync(join(sys, 'fs/btrfs'));
  } catch {
    return undefined;
  }
  const names = kernelNames(mount.source, sys);
  for (const fsid of fsids) {
    const devices = join(sys, 'fs/btrfs', fsid, 'devices');
    // lstat: the entry is a link to the device's sysfs dir, which only has to exist as a link
    if (!names.some((n) => lstatSync(join(devices, n), { throwIfNoEntry: false }))) continue;
    try {
      return basename(readlinkSync(join(sys, 'fs/btrfs', fsid, 'bdi')));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The bdi name under /sys/class/bdi of the filesystem `fs`, or undefined when sysfs does not say. */
function bdiOf(fs: FsId, src: Sources): string | undefined {
  const { sys } = src;
  if (fs.type === BTRFS_SUPER_MAGIC) {
    const mount = mountOf(fs, 'btrfs', src);
    return mount && btrfsBdi(mount, sys);
  }
  // Block filesystems (major != 0) use their device's bdi; others name theirs by s_dev
  // when they have one (nfs, fuse: super_setup_bdi_name "%u:%u").
  if (fs.dev.startsWith('0:')) return existsSync(join(sys, 'class/bdi', fs.dev)) ? fs.dev : undefined;
  return blockBdi(fs.dev, sys);
}

/** The backing device of the filesystem `fs` (after filesFsId), or undefined when sysfs does not say. */
export function backingDevOfFs(fs: FsId, src: Sources): BackingDev | undefined {
  // tmpfs and ramfs use noop_backing_dev_info (ra_pages 0, io_pages 0): shmem faults
  // and fadvise read nothing ahead (mm/fadvise.c:generic_fadvise returns early on it).
  if (fs.type === TMPFS_MAGIC || fs.type === RAMFS_MAGIC) return { readAheadKb: 0, maxSectorsKb: 0 };
  const bdi = bdiOf(fs, src);
  if (!bdi) return undefined;
  const readAheadKb = readKb(join(src.sys, 'class/bdi', bdi, 'read_ahead_kb'));
  if (readAheadKb === undefined) return undefined;
  // A named bdi (btrfs-N) has no queue: bdi_alloc's io_pages.
  const maxSectorsKb = readKb(join(src.sys, 'dev/block', bdi, 'queue/max_sectors_kb')) ?? BDI_ALLOC_KB;
  return { readAheadKb, maxSectorsKb };
}

/**
 * What the scenario's files are, by the filesystem holding them (statfs f_type, an
 * overlay's upper layer): on tmpfs a shmem inode (mm/shmem.c, shmem_file_operations),
 * which the model treats apart from a regular file; "other" for any filesystem with a
 * page cache over a device (ramfs too: generic page cache, ramfs_file_operations,
 * filemap_fault). Undefined when statfs fails: the image then does not say.
 */
export function filesFsOf(dir: string, src: Sources = hostSources('/sys')): 'tmpfs' | 'other' | undefined {
  const here = src.fsOf(dir);
  if (!here) return undefined;
  // An overlay whose upper layer is unknown: its files are at least not overlay's own shmem.
  const fs = filesFsId(here, src) ?? here;
  return fs.type === TMPFS_MAGIC ? 'tmpfs' : 'other';
}

/**
 * The backing device of the filesystem holding the files created in `dir`, or
 * undefined when sysfs does not say (an overlay whose upper layer is not visible
 * here, no /sys): the model then keeps its default. `sys` is the sysfs mount.
 */
export function backingDevOf(dir: string, sys = '/sys', src: Sources = hostSources(sys)): BackingDev | undefined {
  const here = src.fsOf(dir);
  const fs = here && filesFsId(here, src);
  return fs && backingDevOfFs(fs, src);
}

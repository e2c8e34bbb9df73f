// The read-ahead of the filesystem that holds a scenario's files (the session's
// temp dir), for the StartImage: the model's readahead windows follow it.
//
// A file's read-ahead window is file->f_ra.ra_pages, copied at open from its inode's
// backing device (mm/readahead.c:file_ra_state_init: inode_to_bdi(...)->ra_pages, the
// bdi's read_ahead_kb); MADV_WILLNEED reads up to max(bdi->io_pages, ra_pages)
// (mm/readahead.c:force_page_cache_ra), io_pages being the queue's max_sectors_kb
// (block/blk-settings.c:blk_apply_bdi_limits). Both observed on 6.18 with an ext4
// loop device whose read_ahead_kb and max_sectors_kb were changed (test/host/backing-dev.test.ts).
import { existsSync, readFileSync, realpathSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export interface BackingDev {
  /** The bdi's read_ahead_kb (ra_pages × 4). */
  readAheadKb: number;
  /** The queue's max_sectors_kb (io_pages × 4). */
  maxSectorsKb: number;
}

/** include/uapi/linux/magic.h */
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;
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

/**
 * What the scenario's files are, by the filesystem holding `dir` (statfs f_type): on
 * tmpfs a shmem inode (mm/shmem.c, shmem_file_operations), which the model treats
 * apart from a regular file; "other" for any filesystem with a page cache over a
 * device (ramfs too: generic page cache, ramfs_file_operations, filemap_fault).
 * Undefined when statfs fails: the image then does not say.
 */
export function filesFsOf(dir: string): 'tmpfs' | 'other' | undefined {
  try {
    return Number(statfsSync(dir).type) === TMPFS_MAGIC ? 'tmpfs' : 'other';
  } catch {
    return undefined;
  }
}

/**
 * The backing device of the filesystem holding `dir`, or undefined when sysfs does not
 * say (a filesystem with a named bdi such as btrfs-1, overlayfs, no /sys): the model
 * then keeps its default. `sys` is the sysfs mount (tests point it elsewhere).
 */
export function backingDevOf(dir: string, sys = '/sys'): BackingDev | undefined {
  let dev: number;
  try {
    // tmpfs and ramfs use noop_backing_dev_info (ra_pages 0, io_pages 0): shmem faults
    // and fadvise read nothing ahead (mm/fadvise.c:generic_fadvise returns early on it).
    const type = Number(statfsSync(dir).type);
    if (type === TMPFS_MAGIC || type === RAMFS_MAGIC) return { readAheadKb: 0, maxSectorsKb: 0 };
    dev = statSync(dir).dev;
  } catch {
    return undefined;
  }
  const mm = majorMinor(dev);
  // Block filesystems (major != 0) use their device's bdi; others name theirs by s_dev
  // when they have one (nfs, fuse: super_setup_bdi_name "%u:%u").
  const bdi = mm.startsWith('0:') ? (existsSync(join(sys, 'class/bdi', mm)) ? mm : undefined) : blockBdi(mm, sys);
  if (!bdi) return undefined;
  const readAheadKb = readKb(join(sys, 'class/bdi', bdi, 'read_ahead_kb'));
  if (readAheadKb === undefined) return undefined;
  const maxSectorsKb = readKb(join(sys, 'dev/block', bdi, 'queue/max_sectors_kb')) ?? BDI_ALLOC_KB;
  return { readAheadKb, maxSectorsKb };
}

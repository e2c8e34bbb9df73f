// struct file (one open of a file) and its struct file_ra_state (include/linux/fs.h,
// linux-6.18). Each mmap of a scenario file is its own struct file (the executor opens
// the file for the mmap and closes it: native/src/calls.c do_mmap), shared by the VMAs
// split, copied (mremap) or forked from that mapping: they share vm_file. The ELF
// loader maps every segment of a binary through one struct file (fs/binfmt_elf.c).
// ra_pages is the file's backing device's (MemObject.bdi), copied at open.
// Sizes follow mm/readahead.c:get_init_ra_size and get_next_ra_size.

export class FileRa {
  /** Where the last readahead window started. */
  start = 0;
  /** Its size in pages. */
  size = 0;
  /** Pages left in the window when the async readahead is due: PG_readahead goes on start + size - asyncSize. */
  asyncSize = 0;
  /** The folio order the next page_cache_ra_order aims for (ra->order, 6.16+). */
  order = 0;
}

/**
 * A VMA's vm_file. Only its identity and f_ra are modelled: VMAs merge only when they
 * share it (mm/vma.c:is_mergeable_vma compares vm_file), so two mmaps of one file
 * never merge, whatever their offsets (observed on 6.18.44).
 */
export class OpenFile {
  readonly ra = new FileRa();
}

/** mm/readahead.c:get_init_ra_size. */
export function initRaSize(size: number, max: number): number {
  let n = 1;
  while (n < size) n *= 2; // roundup_pow_of_two
  if (n <= max / 32) return n * 4;
  if (n <= max / 4) return n * 2;
  return max;
}

/** mm/readahead.c:get_next_ra_size: ramp the window up towards max. */
export function nextRaSize(cur: number, max: number): number {
  if (cur < max / 16) return 4 * cur;
  if (cur <= max / 2) return 2 * cur;
  return max;
}

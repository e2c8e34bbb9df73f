// Architecture and uapi constants of linux-6.18 on x86_64 (4 KiB pages).
// Sources: arch/x86/include/asm/page_types.h, arch/x86/include/asm/processor.h (TASK_SIZE),
// include/uapi/asm-generic/mman-common.h, include/uapi/asm-generic/mman.h, include/uapi/linux/mman.h.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_SIZE_N = 4096n;
export const U64_MASK = (1n << 64n) - 1n;

/** x86_64 4-level paging: TASK_SIZE_MAX = (1 << 47) - PAGE_SIZE. In pages. */
export const TASK_SIZE_PAGES = 2 ** 35 - 1;
/** mm/mmap.c: mmap_min_addr default (CONFIG_DEFAULT_MMAP_MIN_ADDR = 65536 on x86). In pages. */
export const MMAP_MIN_PAGES = 16;
/** Page number of the gate VMA [vsyscall] at 0xffffffffff600000 (outside every mm). */
export const VSYSCALL_PAGE = 0xffffffffff600000n >> 12n;
/** mm/mmap.c: stack_guard_gap default, 256 pages. */
export const STACK_GUARD_GAP_PAGES = 256;
/** mm/memory.c: fault_around_bytes default 64 KiB, i.e. 16 pages (rounded down to a power of two). */
export const FAULT_AROUND_PAGES = 16;
/** Pages per PMD (2 MiB): fault-around never crosses a page-table boundary. */
export const PTRS_PER_PTE = 512;
/** vm.max_map_count default: include/linux/mm.h DEFAULT_MAX_MAP_COUNT = 65530. */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** RLIM_INFINITY as a 64-bit value. */
export const RLIM_INFINITY = U64_MASK;

export const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8;
export const PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;

export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_DROPPABLE = 0x08;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100, MAP_DENYWRITE = 0x0800, MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000;
export const MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000;
export const MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;

export const MLOCK_ONFAULT = 1;
export const MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;

export const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

export const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;

export const MADV = {
  NORMAL: 0, RANDOM: 1, SEQUENTIAL: 2, WILLNEED: 3, DONTNEED: 4,
  FREE: 8, REMOVE: 9, DONTFORK: 10, DOFORK: 11, MERGEABLE: 12, UNMERGEABLE: 13,
  HUGEPAGE: 14, NOHUGEPAGE: 15, DONTDUMP: 16, DODUMP: 17, WIPEONFORK: 18, KEEPONFORK: 19,
  COLD: 20, PAGEOUT: 21, POPULATE_READ: 22, POPULATE_WRITE: 23, DONTNEED_LOCKED: 24,
  COLLAPSE: 25, HWPOISON: 100, SOFT_OFFLINE: 101, GUARD_INSTALL: 102, GUARD_REMOVE: 103,
} as const;

/** 2 MiB huge pages (the default hugepagesz on x86_64), in base pages. */
export const HPAGE_PAGES = 512;

// Vocabulary of the language: flag words, errnos, advice names, fields, kernel
// profiles. Values are the Linux uapi constants (include/uapi/asm-generic/mman-common.h,
// include/uapi/linux/mman.h, x86_64).

/**
 * Kernel profiles the compiler accepts in `kernel` headers and `on <profile>` selectors.
 * A profile name is a base, optionally followed by `+patch` parts (`linux-6.18+posix-mlock`).
 * The profiles work (runtime/) may replace this list; it is the only place that knows it.
 */
export const KNOWN_PROFILES: { bases: readonly string[]; patches: readonly string[] } = {
  bases: ['linux-6.18', 'linux-4.3', 'linux-4.4', 'linux-5.15', 'linux-6.1', 'linux-6.12'],
  patches: ['posix-mlock', 'mcl-inherit', 'vm-pinned', 'onfault-mremap-populates', 'mremap-nopopulate', 'mcl-nopopulate-locked'],
};

/** Bare mmap flag words (fixed/fixed_noreplace take an address and are parsed separately). */
export const MMAP_FLAG_WORDS = ['locked', 'populate', 'noreserve', 'growsdown', 'hugetlb', 'nonblock', 'stack', 'norelocate'] as const;
export type MmapFlag = (typeof MMAP_FLAG_WORDS)[number] | 'fixed' | 'fixed_noreplace';
/** Canonical order of mmap flags in the IR and in printed text. */
export const MMAP_FLAG_ORDER: readonly MmapFlag[] = ['fixed', 'fixed_noreplace', ...MMAP_FLAG_WORDS];
export const SHARES = ['private', 'shared', 'droppable'] as const;
export type Share = (typeof SHARES)[number];

export const MREMAP_FLAG_WORDS = ['maymove', 'dontunmap', 'nopopulate'] as const;
export const MREMAP_FLAG_ORDER = ['maymove', 'fixed', 'dontunmap', 'nopopulate'] as const;
/**
 * mremap(2) flag bits (include/uapi/linux/mman.h). `nopopulate` is the seed-004
 * proposal's MREMAP_NOPOPULATE (runtime/patches/mremap-nopopulate.ts); mainline
 * has no such bit and rejects it with EINVAL.
 */
export const MREMAP_FLAG_BITS: Record<(typeof MREMAP_FLAG_ORDER)[number], number> = { maymove: 1, fixed: 2, dontunmap: 4, nopopulate: 8 };

/** mlock2(2) flags: MLOCK_ONFAULT = 1 (include/uapi/asm-generic/mman-common.h). */
export const MLOCK2_FLAGS: Readonly<Record<string, bigint>> = { onfault: 1n };
/** mlockall(2): MCL_CURRENT 1, MCL_FUTURE 2, MCL_ONFAULT 4. */
export const MLOCKALL_FLAGS: Readonly<Record<string, bigint>> = { current: 1n, future: 2n, onfault: 4n };
/** msync(2): MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 4. */
export const MSYNC_FLAGS: Readonly<Record<string, bigint>> = { async: 1n, invalidate: 2n, sync: 4n };

/** madvise(2) advice values (mman-common.h). */
export const ADVICE: Readonly<Record<string, number>> = {
  normal: 0,
  random: 1,
  sequential: 2,
  willneed: 3,
  dontneed: 4,
  free: 8,
  remove: 9,
  dontfork: 10,
  dofork: 11,
  hugepage: 14,
  nohugepage: 15,
  wipeonfork: 18,
  keeponfork: 19,
  cold: 20,
  pageout: 21,
  populate_read: 22,
  populate_write: 23,
  dontneed_locked: 24,
  guard_install: 102,
  guard_remove: 103,
};

/** errno names accepted after `=>` (case-insensitive; stored upper-case). */
export const ERRNOS: readonly string[] = [
  'EPERM', 'ENOENT', 'ESRCH', 'EINTR', 'EIO', 'ENXIO', 'E2BIG', 'ENOEXEC', 'EBADF', 'ECHILD', 'EAGAIN',
  'ENOMEM', 'EACCES', 'EFAULT', 'EBUSY', 'EEXIST', 'EXDEV', 'ENODEV', 'ENOTDIR', 'EISDIR', 'EINVAL',
  'ENFILE', 'EMFILE', 'ENOTTY', 'ETXTBSY', 'EFBIG', 'ENOSPC', 'ESPIPE', 'EROFS', 'EMLINK', 'EPIPE',
  'EDOM', 'ERANGE', 'EDEADLK', 'ENAMETOOLONG', 'ENOLCK', 'ENOSYS', 'ENOTEMPTY', 'ELOOP', 'EOVERFLOW',
  'EOPNOTSUPP', 'ETIMEDOUT', 'EHWPOISON', 'ENOTSUP', 'EWOULDBLOCK',
];
/** errno aliases Linux defines as the same number; stored under the first name. */
export const ERRNO_ALIASES: Readonly<Record<string, string>> = { EWOULDBLOCK: 'EAGAIN', ENOTSUP: 'EOPNOTSUPP', EDEADLOCK: 'EDEADLK' };
export const SIGNALS: readonly string[] = ['SIGSEGV', 'SIGBUS'];

export const REQUIREMENTS = ['root', 'host', 'model', 'hugetlb', 'cap_ipc_lock', 'memfd_secret', 'droppable', 'io_uring', 'thp'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];
export const IMAGES = ['default', 'empty'] as const;
/** `file <f> <size> on <fs>` (SPEC §3.3): where the file lives. */
export const FILE_SYSTEMS = ['disk', 'tmpfs', 'shm', 'hugetlbfs'] as const;
export type FileSystemWord = (typeof FILE_SYSTEMS)[number];

/**
 * Machine settings a scenario may assume (`requires zero_page=off`) or state cases for
 * (`=> 0, EFAULT on pkeys=off`): facts of the kernel in front of us beyond its version
 * (SPEC Part II, host facts). The values each one takes; `number` is a decimal count.
 * The first value listed is the model's default (the stock test machine's), except
 * read_ahead_kb, whose default is 8192.
 */
export const SETTINGS = {
  zero_page: ['on', 'off'],
  huge_zero_page: ['on', 'off'],
  pkeys: ['on', 'off'],
  soft_dirty: ['off', 'on'],
  thp: ['madvise', 'always', 'never'],
  files: ['disk', 'tmpfs'],
  read_ahead_kb: 'number',
} as const satisfies Record<string, readonly string[] | 'number'>;
export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
export const RLIMIT_RESOURCES = ['memlock', 'as', 'data', 'stack'] as const;
export const CAP_ACTIONS = ['drop', 'raise'] as const;
export const CAPS = ['ipc_lock', 'sys_resource'] as const;
export type CapWord = (typeof CAPS)[number];
/** `user <name>`: the uids a name stands for (gid = uid; nobody is 65534:65534, nogroup). */
export const USER_NAMES: Readonly<Record<string, number>> = { root: 0, nobody: 65534 };
export const ACCESS_MODES = ['read', 'write'] as const;
export const MCL_STATES = ['off', 'on', 'onfault'] as const;

/** shmat(2) flags (include/uapi/linux/shm.h): SHM_RDONLY 010000, SHM_RND 020000, SHM_REMAP 040000, SHM_EXEC 0100000. */
export const SHMAT_FLAGS: Readonly<Record<string, bigint>> = { rdonly: 0o10000n, rnd: 0o20000n, remap: 0o40000n, exec: 0o100000n };
export const SHMAT_FLAG_ORDER = ['rdonly', 'rnd', 'remap', 'exec'] as const;
/** shmctl(2) commands mls knows: IPC_RMID 0, SHM_LOCK 11, SHM_UNLOCK 12. */
export const SHMCTL_CMDS = ['lock', 'unlock', 'rmid'] as const;

/** Built-in regions, bound in every process (SPEC.md §1.2). */
export const BUILTIN_REGIONS: readonly string[] = ['heap', 'stack', 'vdso', 'vvar'];

export type FieldKind = 'bytes' | 'count' | 'flags' | 'map' | 'state' | 'layout';
export type Field =
  | 'locked_vm' | 'pinned_vm' | 'total_vm' | 'rss' | 'map_count' | 'locked' | 'mcl_future' | 'pss'
  | 'anonymous' | 'anon_huge' | 'size' | 'resident' | 'resident_map' | 'vmas' | 'flags' | 'layout'
  | PageFlagField | SystemField;
/** Region fields read from /proc/kpageflags (SPEC.md §3.6 "Page flags"). */
export type PageFlagField = 'mlocked' | 'unevictable' | 'mlocked_map' | 'unevictable_map';
export const PAGE_FLAG_FIELDS: readonly PageFlagField[] = ['mlocked', 'unevictable', 'mlocked_map', 'unevictable_map'];
/** System-wide /proc/meminfo counters, compared only against a `let` capture (SPEC.md §3.6 "System counters"). */
export type SystemField = 'sys_mlocked' | 'sys_unevictable';
export const SYSTEM_FIELDS: readonly SystemField[] = ['sys_mlocked', 'sys_unevictable'];
export const FIELD_KINDS: Readonly<Record<Field, FieldKind>> = {
  locked_vm: 'bytes', pinned_vm: 'bytes', total_vm: 'bytes', rss: 'bytes', map_count: 'count', locked: 'bytes',
  mcl_future: 'state', pss: 'bytes', anonymous: 'bytes', anon_huge: 'bytes', size: 'bytes', resident: 'bytes', resident_map: 'map',
  vmas: 'count', flags: 'flags', layout: 'layout',
  mlocked: 'bytes', unevictable: 'bytes', mlocked_map: 'map', unevictable_map: 'map', sys_mlocked: 'bytes', sys_unevictable: 'bytes',
};
/** The field names, in FIELD_KINDS order (looked up once per expect clause). */
export const FIELDS = Object.keys(FIELD_KINDS) as Field[];
export const PROCESS_FIELDS: readonly Field[] = ['locked_vm', 'pinned_vm', 'total_vm', 'rss', 'map_count', 'locked', 'mcl_future', ...SYSTEM_FIELDS];
export const REGION_FIELDS: readonly Field[] = [
  'rss', 'pss', 'locked', 'anonymous', 'anon_huge', 'size', 'resident', 'resident_map', 'vmas', 'flags', 'layout', ...PAGE_FLAG_FIELDS,
];

/** smaps VmFlags mnemonics (fs/proc/task_mmu.c:show_smap_vma_flags, 6.18). */
export const VMA_FLAG_LETTERS: readonly string[] = [
  'rd', 'wr', 'ex', 'sh', 'mr', 'mw', 'me', 'ms', 'gd', 'pf', 'lo', 'io', 'sr', 'rr', 'dc', 'de', 'lf', 'ac',
  'nr', 'ht', 'sf', 'ar', 'wf', 'dd', 'bt', 'sd', 'mm', 'hg', 'nh', 'mg', 'um', 'uw', 'mt', 'ui', 'ss', 'sl',
  'gu', 'dp',
];
/** Letters `layout` compares (SPEC.md §3.6). */
export const LAYOUT_FLAG_LETTERS: readonly string[] = ['lo', 'lf', 'dc', 'wf', 'gu', 'dp', 'ht', 'gd', 'io', 'pf', 'de'];

/** `rw` → `rw-`, `none` → `---`; undefined when not a prot word. */
export function protFromWord(w: string): string | undefined {
  if (w === 'none') return '---';
  const m = /^(r?)(w?)(x?)$/.exec(w);
  if (!m || w === '') return undefined;
  return (m[1] ? 'r' : '-') + (m[2] ? 'w' : '-') + (m[3] ? 'x' : '-');
}
/** `rw-` → `rw`, `---` → `none`. */
export function protToWord(p: string): string {
  const w = p.replace(/-/g, '');
  return w === '' ? 'none' : w;
}
/** PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4 → letters. */
export function protFromBits(bits: bigint): string {
  return (bits & 1n ? 'r' : '-') + (bits & 2n ? 'w' : '-') + (bits & 4n ? 'x' : '-');
}

export function knownProfile(name: string): { ok: true } | { ok: false; bad: string; candidates: readonly string[] } {
  if (KNOWN_PROFILES.patches.includes(name)) return { ok: true };
  const [base = '', ...patches] = name.split('+');
  if (!KNOWN_PROFILES.bases.includes(base)) return { ok: false, bad: base, candidates: [...KNOWN_PROFILES.bases, ...KNOWN_PROFILES.patches] };
  for (const p of patches) if (!KNOWN_PROFILES.patches.includes(p)) return { ok: false, bad: p, candidates: KNOWN_PROFILES.patches };
  return { ok: true };
}

/** Classify the word after `=>`: ok, any, an errno or a signal (case-insensitive). */
export function resultWord(w: string): { kind: 'ok' | 'any' } | { kind: 'errno'; errno: string } | { kind: 'signal'; signal: string } | undefined {
  const lw = w.toLowerCase();
  if (lw === 'ok' || lw === 'any') return { kind: lw };
  const up = w.toUpperCase();
  if (SIGNALS.includes(up)) return { kind: 'signal', signal: up };
  if (ERRNOS.includes(up) || up in ERRNO_ALIASES) return { kind: 'errno', errno: ERRNO_ALIASES[up] ?? up };
  return undefined;
}

// The kernel's spellings of mls words (SPEC.md §1, "Kernel spellings"): people
// who know the uapi or /proc write `MLOCK_ONFAULT`, `MAP_LOCKED`, `VmLck`,
// `VM_LOCKED`. Each one below names exactly one mls word of one vocabulary, so
// it is accepted as an alias there; the IR and `printScenario` use the mls word.

export type AliasKind =
  | 'mmapFlag' | 'share' | 'prot' | 'mlock2' | 'mlockall' | 'mremap' | 'madvise' | 'msync' | 'shmat' | 'shmctl'
  | 'rlimit' | 'cap' | 'requirement' | 'field' | 'vmaFlag';

/** uapi prefixes whose remainder, lower-cased, is the mls word (MADV_DONTNEED → dontneed). */
const PREFIX: Partial<Record<AliasKind, string>> = {
  mmapFlag: 'MAP_',
  share: 'MAP_',
  prot: 'PROT_',
  mlock2: 'MLOCK_',
  mlockall: 'MCL_',
  mremap: 'MREMAP_',
  madvise: 'MADV_',
  msync: 'MS_',
  shmat: 'SHM_',
  rlimit: 'RLIMIT_',
  cap: 'CAP_',
};

/** Spellings that are not prefix + word. */
const EXACT: Partial<Record<AliasKind, Readonly<Record<string, string>>>> = {
  mmapFlag: { MAP_ANONYMOUS: 'anon', MAP_ANON: 'anon' },
  prot: { PROT_READ: 'r', PROT_WRITE: 'w', PROT_EXEC: 'x', PROT_NONE: 'none' },
  shmctl: { SHM_LOCK: 'lock', SHM_UNLOCK: 'unlock', IPC_RMID: 'rmid' },
  requirement: { CAP_IPC_LOCK: 'cap_ipc_lock' },
  // /proc/PID/status and smaps field names (fs/proc/task_mmu.c).
  field: {
    VmLck: 'locked_vm', VmPin: 'pinned_vm', VmSize: 'total_vm', VmRSS: 'rss', Rss: 'rss', Locked: 'locked',
    Pss: 'pss', Anonymous: 'anonymous', AnonHugePages: 'anon_huge', Size: 'size',
    // /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) and /proc/meminfo lines (fs/proc/meminfo.c).
    KPF_MLOCKED: 'mlocked', KPF_UNEVICTABLE: 'unevictable', PG_mlocked: 'mlocked', PG_unevictable: 'unevictable',
    Mlocked: 'sys_mlocked', Unevictable: 'sys_unevictable', NR_MLOCK: 'sys_mlocked', NR_UNEVICTABLE: 'sys_unevictable',
  },
  // include/linux/mm.h VM_* bits → smaps VmFlags mnemonics (fs/proc/task_mmu.c:show_smap_vma_flags).
  vmaFlag: {
    VM_READ: 'rd', VM_WRITE: 'wr', VM_EXEC: 'ex', VM_SHARED: 'sh', VM_MAYREAD: 'mr', VM_MAYWRITE: 'mw',
    VM_MAYEXEC: 'me', VM_MAYSHARE: 'ms', VM_GROWSDOWN: 'gd', VM_PFNMAP: 'pf', VM_LOCKED: 'lo', VM_IO: 'io',
    VM_SEQ_READ: 'sr', VM_RAND_READ: 'rr', VM_DONTCOPY: 'dc', VM_DONTEXPAND: 'de', VM_LOCKONFAULT: 'lf',
    VM_ACCOUNT: 'ac', VM_NORESERVE: 'nr', VM_HUGETLB: 'ht', VM_SYNC: 'sf', VM_WIPEONFORK: 'wf', VM_DONTDUMP: 'dd',
    VM_SOFTDIRTY: 'sd', VM_MIXEDMAP: 'mm', VM_HUGEPAGE: 'hg', VM_NOHUGEPAGE: 'nh', VM_MERGEABLE: 'mg',
    VM_UFFD_MISSING: 'um', VM_UFFD_WP: 'uw', VM_UFFD_MINOR: 'ui', VM_SHADOW_STACK: 'ss', VM_SEALED: 'sl',
    VM_DROPPABLE: 'dp',
  },
};

/**
 * The mls word `word` spells in vocabulary `kind`, when `word` is a kernel
 * spelling of one of `known` (the vocabulary's words); undefined otherwise.
 */
export function kernelAlias(kind: AliasKind, word: string, known: Iterable<string>): string | undefined {
  const set = new Set(known);
  const exact = EXACT[kind]?.[word];
  if (exact !== undefined) return set.has(exact) ? exact : undefined;
  const prefix = PREFIX[kind];
  if (prefix === undefined || !word.startsWith(prefix) || word !== word.toUpperCase()) return undefined;
  const rest = word.slice(prefix.length).toLowerCase();
  return set.has(rest) ? rest : undefined;
}

/** Look `word` up in a vocabulary, directly or as a kernel spelling. */
export function lookupWord<T extends string>(kind: AliasKind, word: string, known: readonly T[]): T | undefined {
  if ((known as readonly string[]).includes(word)) return word as T;
  return kernelAlias(kind, word, known) as T | undefined;
}

// Machine settings: facts of the kernel in front of us that change what a
// scenario observes, beyond the kernel version (SPEC Part II, "Host facts").
// Linux reads each of them in one place; the model reads the same setting at
// the same point (the comment on each field names it). The host reports its
// values (runner/targets/host/facts.ts); the model's defaults are the stock
// test machine's: Linux 6.18.44 on a CPU with PKU, zero page in use.

export interface MachineSettings {
  /**
   * A read fault on untouched private anonymous memory maps the shared zero page
   * (mm/memory.c:do_anonymous_page, unless mm_forbids_zeropage()). Off (e.g. a
   * kernel booted with pvm_no_zero_page=1): it allocates a zeroed anon page,
   * which counts in Rss and, in a VM_LOCKED VMA, in Locked.
   */
  zeroPage: boolean;
  /**
   * A read fault in a THP-eligible block maps the huge zero page
   * (mm/huge_memory.c:do_huge_pmd_anonymous_page, transparent_hugepage/use_zero_page
   * and !mm_forbids_zeropage()). Off: it allocates a real huge page.
   */
  hugeZeroPage: boolean;
  /**
   * x86 protection keys (CPU pku + ospke): a PROT_EXEC-only mapping gets the
   * execute-only pkey (arch/x86/mm/pkeys.c:__execute_only_pkey), so data reads
   * fault and GUP fails arch_vma_access_permitted. Off: PROT_EXEC implies read
   * (x86 page tables cannot express execute-only).
   */
  pkeys: boolean;
  /**
   * CONFIG_MEM_SOFT_DIRTY: every new VMA gets VM_SOFTDIRTY (mm/vma.c:__mmap_region,
   * do_brk_flags, _install_special_mapping, fs/exec.c), printed `sd` in VmFlags;
   * vma merging ignores it (VM_IGNORE_MERGE).
   */
  softDirty: boolean;
}

/** The stock test machine's values, and the model's defaults. */
export const STOCK_SETTINGS: Readonly<MachineSettings> = Object.freeze({
  zeroPage: true,
  hugeZeroPage: true,
  pkeys: true,
  softDirty: false,
});

/**
 * Whether PROT_EXEC-only mappings are unreadable here: the CPU has protection keys
 * (pkeys) and the kernel uses them for execute-only (Behaviour.execOnlyPkey, v4.6).
 */
export function execOnlyUnreadable(settings: MachineSettings, behaviour: { execOnlyPkey: boolean }): boolean {
  return settings.pkeys && behaviour.execOnlyPkey;
}

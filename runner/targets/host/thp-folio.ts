// The largest folio one touch can make resident, by the kind of mapping
// touched, from the host's THP settings (facts.ts:thpFacts). The lock cap
// counts every touch at this size: with THP a one-byte write may fault a whole
// PMD block (mm/memory.c:__handle_mm_fault → create_huge_pmd), and khugepaged
// may later collapse one present page into 512 (max_ptes_none defaults to 511).
import type { HostFacts as MachineFacts } from '../../../schema/generated/types.js';

export type MappingKind = 'anon' | 'shmem' | 'file' | 'small';

export interface Folios {
  page: bigint;
  /** Private anonymous memory (heap, stack, anon mmap). */
  anon: bigint;
  /** Shared anonymous, System V shm, tmpfs (shmem_enabled). */
  shmem: bigint;
  /** The most of any kind: for an address that is not a known region. */
  any: bigint;
}

const PMD_PAGES = 512n;

/** Which THP settings allow huge folios: `always`, or `madvise`/`advise` when the scenario asks for them. */
function allows(setting: string | undefined, madvised: boolean): boolean {
  return setting === 'always' || setting === 'within_size' || setting === 'force' ||
    ((setting === 'madvise' || setting === 'advise') && madvised);
}

/**
 * `facts` undefined: the host could not tell (probe failed), so every touch counts as a PMD block.
 * `madvised`: the scenario has an madvise HUGEPAGE (the `madvise` settings then apply anywhere).
 */
export function folioSizes(facts: MachineFacts | undefined, madvised: boolean): Folios {
  const page = BigInt(facts?.pageSize ?? 4096);
  const pmd = page * PMD_PAGES;
  if (!facts) return { page, anon: pmd, shmem: pmd, any: pmd };
  const thp = facts.thp;
  if (!thp) return { page, anon: page, shmem: page, any: page }; // CONFIG_TRANSPARENT_HUGEPAGE=n
  let anon = page;
  // Per-size (mTHP) settings: `inherit` follows the top-level one (mm/huge_memory.c:__thp_vma_allowable_orders).
  const sizes = Object.entries(thp.sizes ?? { [`${pmd / 1024n}kB`]: 'inherit' });
  for (const [name, v] of sizes) {
    const bytes = BigInt(Number.parseInt(name, 10)) * 1024n;
    if (bytes > anon && allows(v === 'inherit' ? thp.enabled : v, madvised)) anon = bytes;
  }
  const shmem = allows(thp.shmemEnabled, madvised) ? pmd : page;
  return { page, anon, shmem, any: anon > shmem ? anon : shmem };
}

export function folioOf(f: Folios, kind: MappingKind | undefined): bigint {
  switch (kind) {
    case 'anon': return f.anon;
    case 'shmem': return f.shmem;
    case 'small': return f.page; // memfd_secret: order-0 pages only (mm/secretmem.c)
    // A file on tmpfs is shmem; a disk file's page-cache folios are bounded by its size (counted at `file`).
    case 'file': return f.shmem;
    default: return f.any;
  }
}

/** Bytes a touch of `len` bytes may make resident: every folio it overlaps, whole. */
export function roundOut(len: bigint, folio: bigint, page: bigint): bigint {
  if (len === 0n || folio <= page) return len;
  return ((len + folio - 1n) / folio + 1n) * folio;
}

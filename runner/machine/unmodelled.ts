// Host facts the model does not follow, named before a diff or fuzz run so
// that their divergences are expected rather than unexplained (SPEC Part II,
// host facts). Each line says the fact, its value here and which steps it may
// change.
import type { HostFacts } from '../../schema/generated/types.js';

const PMD_SIZE = '2048kB';

/** One line per unmodelled fact that differs from the stock test machine; [] on a stock host. */
export function unmodelledFacts(f: HostFacts): string[] {
  const out: string[] = [];
  if (f.pageSize !== 4096) out.push(`page size ${f.pageSize} (the model has 4 KiB pages): every size and count may differ`);
  const top = f.thp?.enabled;
  for (const [size, v] of Object.entries(f.thp?.sizes ?? {})) {
    if (size === PMD_SIZE) continue;
    const active = v === 'always' || v === 'madvise' || (v === 'inherit' && (top === 'always' || top === 'madvise'));
    if (!active) continue;
    const scope = v === 'madvise' || (v === 'inherit' && top === 'madvise') ? 'in MADV_HUGEPAGE ranges' : 'everywhere';
    out.push(`anonymous mTHP ${size} is \`${v}\`: faults ${scope} may map ${size} folios (rss, locked, resident, anon_huge after faults on anonymous memory)`);
  }
  const shmem = f.thp?.shmemEnabled;
  if (shmem && shmem !== 'never' && shmem !== 'deny') {
    out.push(`shmem THP is \`${shmem}\`: shared anonymous, System V shm and tmpfs file mappings may map huge pages (rss, resident, placement)`);
  }
  if (f.overcommitMemory === 2) out.push('vm.overcommit_memory=2 (strict): mmap, mremap and brk of private writable memory may fail with ENOMEM where the model succeeds');
  return out;
}

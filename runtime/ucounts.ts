// Per-user lock charges, keyed by uid. Linux has two (linux-6.18):
// - ucounts UCOUNT_RLIMIT_MEMLOCK (kernel/ucount.c:inc_rlimit_ucounts), charged by
//   mm/mlock.c:user_shm_lock for SHM_LOCK (and hugetlb shm), per (user_ns, uid);
// - user_struct->locked_vm (kernel/user.c), charged by io_uring's io_account_mem.
// Both are per user, not per process: every process of a uid sees the same count.
export class UserCharges {
  private readonly pages = new Map<number, number>();

  get(uid: number): number { return this.pages.get(uid) ?? 0; }

  add(uid: number, n: number): void {
    const v = this.get(uid) + n;
    if (v) this.pages.set(uid, v);
    else this.pages.delete(uid);
  }

  /** Every (uid, pages) with a non-zero count, for invariants and tests. */
  entries(): [number, number][] { return [...this.pages]; }
}

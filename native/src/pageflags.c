/* Page flags and system counters for `snap … pages` / `snap … meminfo` (SPEC.md
 * "Host target", §3.6 "Page flags", "System counters").
 *
 * Page flags: /proc/self/pagemap gives each present page's PFN (bits 0-54, bit 63
 * present) only to an opener with CAP_SYS_ADMIN (fs/proc/task_mmu.c:pagemap_read,
 * file_ns_capable at open), so the descriptor is opened at worker start, while
 * still root, and again in a fork child (a pagemap descriptor names the mm of its
 * opener). /proc/kpageflags gives KPF_MLOCKED (bit 33) and KPF_UNEVICTABLE (bit 18)
 * of a PFN. A folio mlocked by a fault is PG_mlocked at once but reaches the
 * unevictable LRU only when this CPU's mlock batch is drained (mm/mlock.c:
 * mlock_new_folio, mlock_folio_batch); move_pages(2) of one of our own pages to
 * the node it is on drains every CPU's batches (mm/migrate.c:do_pages_move →
 * lru_cache_disable → __lru_add_drain_all) and moves nothing, so PG_unevictable is
 * read after it.
 *
 * System counters: /proc/meminfo Mlocked and Unevictable are sums of per-CPU
 * diffs folded at most every vm.stat_interval; a write to /proc/sys/vm/stat_refresh
 * (root) folds them first (mm/vmstat.c:vmstat_refresh). */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KPF_UNEVICTABLE 18
#define KPF_MLOCKED 33
#define PM_CHUNK 512

static int pagemap_fd = -1, kpageflags_fd = -1;
static uint64_t pm[PM_CHUNK] __attribute__((aligned(MLS_PAGE)));
static char flagbuf[2][2048];
static size_t flaglen[2];
static const char *const flagtag[2] = {"mlocked", "unevictable"};
static struct { long long start; uint64_t end; } run[2];
static int pfn_hidden;

void pageflags_open(void) {
  if (pagemap_fd >= 0) close(pagemap_fd);
  pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (kpageflags_fd < 0) kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
}

void pageflags_pretouch(void) {
  memset(pm, 0, sizeof pm);
  memset(flagbuf, 0, sizeof flagbuf);
}

static void flag_flush(int k) {
  if (flaglen[k]) send_block(flagtag[k], flagbuf[k], flaglen[k]);
  flaglen[k] = 0;
}
static void flag_emit(int k) {
  if (run[k].start < 0) return;
  if (flaglen[k] + 48 > sizeof flagbuf[k]) flag_flush(k);
  flaglen[k] += (size_t)snprintf(flagbuf[k] + flaglen[k], sizeof flagbuf[k] - flaglen[k], "%llu %llu\n",
                                 (unsigned long long)run[k].start, (unsigned long long)run[k].end);
  run[k].start = -1;
}
static void flag_add(int k, uint64_t page) {
  if (run[k].start >= 0 && run[k].end == page) { run[k].end++; return; }
  flag_emit(k);
  run[k].start = (long long)page;
  run[k].end = page + 1;
}

/* Every CPU's LRU and mlock batches, drained (see the top): 0, or why not (errno set). */
const char *lru_batches_drain(void) {
  pm[0] = 1; /* present */
  void *page = pm;
  int node = -1, status = 0;
  long r = syscall(SYS_move_pages, 0, 1L, &page, NULL, &status, 0);
  if (r == 0 && status >= 0) node = status;
  if (node < 0) return "move_pages cannot locate a page";
  if (syscall(SYS_move_pages, 0, 1L, &page, &node, &status, 0) < 0) return "move_pages to the page's own node failed";
  return 0;
}

void pageflags_drain(void) {
  const char *why = lru_batches_drain();
  if (why) send_blockf("fail", "page flags: %s (%s): no drain of the LRU batches", why, strerrorname_np(errno));
}

/* The flagged pages of [lo, hi) as page indexes from base_page: `mlocked` and `unevictable` blocks. */
void pageflags_send(uint64_t base_page, uint64_t lo, uint64_t hi, const uint64_t (*vmas)[2], int nvmas) {
  if (pagemap_fd < 0 || kpageflags_fd < 0) {
    send_blockf("fail", "page flags: cannot open %s (root is needed)", pagemap_fd < 0 ? "/proc/self/pagemap" : "/proc/kpageflags");
    return;
  }
  run[0].start = run[1].start = -1;
  flaglen[0] = flaglen[1] = 0;
  pfn_hidden = 0;
  for (int v = 0; v < nvmas; v++) {
    uint64_t s = vmas[v][0] > lo ? vmas[v][0] : lo, e = vmas[v][1] < hi ? vmas[v][1] : hi;
    for (uint64_t a = s; a < e;) {
      uint64_t n = (e - a) / MLS_PAGE;
      if (n > PM_CHUNK) n = PM_CHUNK;
      if (n == 0) break;
      ssize_t got = pread(pagemap_fd, pm, n * 8, (off_t)(a / MLS_PAGE * 8));
      if (got < 0) { send_blockf("fail", "page flags: pagemap: %s", strerror(errno)); return; }
      for (uint64_t i = 0; i < (uint64_t)got / 8; i++) {
        if (!(pm[i] >> 63)) continue;
        uint64_t pfn = pm[i] & ((1ULL << 55) - 1), f = 0;
        if (pfn == 0) { pfn_hidden = 1; continue; }
        if (pread(kpageflags_fd, &f, 8, (off_t)(pfn * 8)) != 8) continue;
        uint64_t page = a / MLS_PAGE + i - base_page;
        if (f >> KPF_MLOCKED & 1) flag_add(0, page);
        if (f >> KPF_UNEVICTABLE & 1) flag_add(1, page);
      }
      a += n * MLS_PAGE;
    }
  }
  if (pfn_hidden) { send_blockf("fail", "page flags: pagemap shows no PFNs (CAP_SYS_ADMIN is needed when it is opened)"); return; }
  for (int k = 0; k < 2; k++) { flag_emit(k); flag_flush(k); }
  send_block("pageflags", "", 0); /* read: an empty list is no flagged page */
}

/* /proc/meminfo Mlocked and Unevictable in kB, after folding the per-CPU diffs. */
void meminfo_send(void) {
  int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
  /* vmstat_refresh returns EINVAL when it saw a negative counter (a warning), after folding. */
  if (fd < 0 || (write(fd, "1", 1) < 0 && errno != EINVAL)) {
    send_blockf("fail", "system counters: cannot write /proc/sys/vm/stat_refresh: %s (root is needed)", strerror(errno));
    if (fd >= 0) close(fd);
    return;
  }
  close(fd);
  fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) { send_blockf("fail", "cannot open /proc/meminfo: %s", strerror(errno)); return; }
  char buf[8192];
  ssize_t r, have = 0;
  while ((r = read(fd, buf + have, sizeof buf - 1 - (size_t)have)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0) have += r;
  close(fd);
  buf[have] = 0;
  char *m = strstr(buf, "\nMlocked:"), *u = strstr(buf, "\nUnevictable:");
  if (!m || !u) { send_blockf("fail", "/proc/meminfo has no Mlocked or Unevictable line"); return; }
  send_blockf("meminfo", "%llu %llu", strtoull(m + 9, NULL, 10), strtoull(u + 13, NULL, 10));
}

/* Snapshots: raw /proc text (parsed by the TS driver, runner/targets/host/
 * proc-parse.ts), region bindings, mincore residency and the MCL_FUTURE probe.
 * Order matters: /proc is read before the probe mapping exists. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VEC_PAGES 65536
static unsigned char vec[VEC_PAGES];
static char ivbuf[16384];
static size_t ivlen;

struct resid { uint64_t base_page, lo, hi; long long run_start; uint64_t run_end; };

static void iv_flush(void) {
  if (ivlen) send_block("resident", ivbuf, ivlen);
  ivlen = 0;
}
static void iv_emit(uint64_t first, uint64_t end) {
  if (ivlen + 48 > sizeof ivbuf) iv_flush();
  ivlen += (size_t)snprintf(ivbuf + ivlen, sizeof ivbuf - ivlen, "%llu %llu\n", (unsigned long long)first,
                            (unsigned long long)end);
}
static void run_add(struct resid *r, uint64_t page) {
  if (r->run_start >= 0 && r->run_end == page) { r->run_end++; return; }
  if (r->run_start >= 0) iv_emit((uint64_t)r->run_start, r->run_end);
  r->run_start = (long long)page;
  r->run_end = page + 1;
}

/* mincore over the part of each mapping inside the region, in chunks (a 1 TiB
 * noreserve region must not need a 256 MiB vector). */
static int resid_cb(uint64_t s, uint64_t e, const char *name, void *arg) {
  (void)name;
  struct resid *r = arg;
  uint64_t lo = s > r->lo ? s : r->lo, hi = e < r->hi ? e : r->hi;
  for (uint64_t a = lo; a < hi;) {
    uint64_t pages = (hi - a) / MLS_PAGE;
    if (pages > VEC_PAGES) pages = VEC_PAGES;
    if (pages == 0) break;
    if (mincore((void *)a, pages * MLS_PAGE, vec) == 0)
      for (uint64_t i = 0; i < pages; i++)
        if (vec[i] & 1) run_add(r, a / MLS_PAGE + i - r->base_page);
    a += pages * MLS_PAGE;
  }
  return 0;
}

static void send_region(const char *name, uint64_t base, uint64_t len) {
  send_blockf("region", "%s %llx %llu", name, (unsigned long long)base, (unsigned long long)len);
  if (len == 0) return;
  struct resid r = {.base_page = base / MLS_PAGE, .lo = base & ~(MLS_PAGE - 1),
                    .hi = (base + len + MLS_PAGE - 1) & ~(MLS_PAGE - 1), .run_start = -1};
  if (r.hi < r.lo) r.hi = ~0ULL & ~(MLS_PAGE - 1); /* wrapped: clamp */
  ivlen = 0;
  maps_each(resid_cb, &r);
  if (r.run_start >= 0) iv_emit((uint64_t)r.run_start, r.run_end);
  iv_flush();
}

static const char *const builtins[] = {"heap", "stack", "vdso", "vvar"};

static void send_regions(void) {
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    uint64_t base, len;
    int user = 0;
    for (int k = 0; k < region_count(); k++) user |= !strcmp(region_at(k)->name, builtins[i]);
    if (!user && region_lookup(builtins[i], &base, &len)) send_region(builtins[i], base, len);
  }
  for (int k = 0; k < region_count(); k++) {
    const struct region *r = region_at(k);
    send_region(r->name, r->base, r->len);
  }
}

/* Find the VmFlags line of the VMA starting at `start` in /proc/self/smaps. */
static char smapsbuf[65536 + MLS_LINE_MAX];
static int vma_flags(uint64_t addr, char *out, size_t cap) {
  int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t have = 0;
  int in = 0, found = 0;
  for (;;) {
    ssize_t r = read(fd, smapsbuf + have, 65536);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    size_t pos = 0;
    char *nl;
    while ((nl = memchr(smapsbuf + pos, '\n', have - pos))) {
      *nl = 0;
      char *line = smapsbuf + pos;
      pos = (size_t)(nl - smapsbuf) + 1;
      char *end;
      uint64_t s = strtoull(line, &end, 16);
      if (*end == '-' && end != line) {
        uint64_t e = strtoull(end + 1, NULL, 16);
        in = addr >= s && addr < e;
      } else if (in && !strncmp(line, "VmFlags:", 8)) {
        snprintf(out, cap, "%s", line + 8);
        found = 1;
      }
    }
    memmove(smapsbuf, smapsbuf + pos, have - pos);
    have -= pos;
    if (found) break;
  }
  close(fd);
  return found ? 0 : -1;
}

/* MCL_FUTURE lives in mm->def_flags, which /proc does not show. A fresh
 * one-page PROT_READ anonymous mapping inherits def_flags (mm/mmap.c:do_mmap),
 * so its VmFlags tell: lo = on, lo lf = onfault. EAGAIN from the mmap itself
 * is mlock_future_ok() refusing the page, which only happens with def_flags
 * VM_LOCKED set: reported as on. */
static void mcl_probe(void) {
  void *p = (void *)syscall(SYS_mmap, 0, MLS_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0);
  if (p == MAP_FAILED) {
    int e = errno;
    send_blockf("mcl", e == EAGAIN ? "on" : "unknown %s", strerrorname_np(e));
    return;
  }
  char flags[512];
  const char *state = "unknown";
  if (vma_flags((uint64_t)p, flags, sizeof flags) == 0) {
    int lo = strstr(flags, " lo") != NULL, lf = strstr(flags, " lf") != NULL;
    state = lf ? "onfault" : lo ? "on" : "off";
  }
  syscall(SYS_munmap, p, MLS_PAGE);
  send_blockf("mcl", "%s", state);
}

void do_snapshot(void) {
  send_file_blocks("status", "/proc/self/status");
  send_file_blocks("smaps", "/proc/self/smaps");
  send_file_blocks("rollup", "/proc/self/smaps_rollup");
  send_regions();
  mcl_probe();
}

void do_image(void) {
  send_blockf("brk", "%llx", (unsigned long long)brk_start);
  send_file_blocks("smaps", "/proc/self/smaps");
}

/* Snapshots: raw /proc text (parsed by the TS driver, runner/targets/host/
 * proc-parse.ts), region bindings and mincore residency (the MCL_FUTURE probe: mcl-probe.c).
 * Order matters: /proc is read before the probe mapping exists. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VEC_PAGES 16384
static unsigned char vec[VEC_PAGES];
static char ivbuf[16384];
static size_t ivlen;

struct resid { uint64_t base_page, lo, hi; long long run_start; uint64_t run_end; };

/* This snapshot reads page flags (`snap … pages`): each region's flagged pages follow its resident blocks. */
static int want_pages;
static void send_pageflags(uint64_t base_page, uint64_t lo, uint64_t hi, int from_maps);

static void iv_flush(void) {
  if (ivlen) send_block("resident", ivbuf, ivlen);
  ivlen = 0;
}
/* The resident runs of the region being sent, absolute page numbers: page flags are read only there (a
 * PTE-mapped page is resident to mincore), so a 1 TiB noreserve region costs its resident pages, not 2^28 reads. */
#define MAX_RUNS 1024
static uint64_t res_runs[MAX_RUNS][2];
static int nres_runs, res_overflow;
static uint64_t res_base;
static void iv_emit(uint64_t first, uint64_t end) {
  if (nres_runs < MAX_RUNS) { res_runs[nres_runs][0] = (res_base + first) * MLS_PAGE; res_runs[nres_runs][1] = (res_base + end) * MLS_PAGE; nres_runs++; }
  else res_overflow = 1;
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
  if (len == 0) { if (want_pages) send_block("pageflags", "", 0); return; }
  struct resid r = {.base_page = base / MLS_PAGE, .lo = base & ~(MLS_PAGE - 1),
                    .hi = (base + len + MLS_PAGE - 1) & ~(MLS_PAGE - 1), .run_start = -1};
  if (r.hi < r.lo) r.hi = ~0ULL & ~(MLS_PAGE - 1); /* wrapped: clamp */
  ivlen = 0;
  res_base = r.base_page;
  nres_runs = res_overflow = 0;
  maps_each(resid_cb, &r);
  if (r.run_start >= 0) iv_emit((uint64_t)r.run_start, r.run_end);
  iv_flush();
  if (want_pages) send_pageflags(r.base_page, r.lo, r.hi, 1);
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

/* Stream /proc/self/smaps line by line through `cb` (line, its length with the
 * '\n', the '\n' itself); `cb` returns nonzero to stop. Lines are not
 * NUL-terminated: a callback may write 0 at `nl` and put the '\n' back.
 * Returns -1 when smaps cannot be opened. One loop for every smaps reader. */
#define smapsbuf procbuf
/* /proc/self/smaps and status stay open between snapshots and are re-read
 * from offset 0 (seq_file regenerates the text, fs/seq_file.c:seq_read_iter):
 * a lseek instead of a /proc path walk and a close per read. The descriptors
 * name this process's mm, so a fork child drops them (proc_fds_forget); exec
 * closes them (O_CLOEXEC). */
static int smaps_fd = -1, status_fd = -1;
static int proc_fd(int *fd, const char *path) {
  if (*fd >= 0 && lseek(*fd, 0, SEEK_SET) == 0) return *fd;
  if (*fd >= 0) close(*fd);
  *fd = open(path, O_RDONLY | O_CLOEXEC);
  return *fd;
}
void proc_fds_forget(void) {
  if (smaps_fd >= 0) close(smaps_fd);
  if (status_fd >= 0) close(status_fd);
  smaps_fd = status_fd = -1;
}

int smaps_each_line(smaps_line_fn cb, void *ctx) {
  int fd = proc_fd(&smaps_fd, "/proc/self/smaps");
  if (fd < 0) return -1;
  size_t have = 0;
  int stop = 0;
  while (!stop) {
    ssize_t r = read(fd, smapsbuf + have, 65536);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    size_t pos = 0;
    char *nl;
    while (!stop && (nl = memchr(smapsbuf + pos, '\n', have - pos))) {
      char *line = smapsbuf + pos;
      size_t n = (size_t)(nl - line) + 1;
      pos += n;
      stop = cb(line, n, nl, ctx);
    }
    memmove(smapsbuf, smapsbuf + pos, have - pos);
    have -= pos;
    if (have >= MLS_LINE_MAX) have = 0; /* absurd line: drop it */
  }
  return 0;
}

/* ---- the fast snapshot: one pass over /proc/self/smaps ----
 * What the driver needs from smaps is every VMA overlapping a region, the VMA
 * count and the Locked total. One streaming pass reduces each VMA a region
 * overlaps (or may overlap: keeping too many is harmless, the driver filters
 * by range) to one `vmas` line (SPEC.md "Host target"):
 *   <start hex> <end hex> <perms> <Rss> <Pss> <Locked> <Anonymous> <AnonHugePages> <VmFlags…>\t<name>
 * (sizes in kB, as printed; VmFlags verbatim), counts VMAs, sums Locked and
 * remembers the kept ranges for mincore, so no /proc/self/maps read is needed
 * per region. Parsing here spares the driver the smaps text (`snap full`
 * still sends it raw: the reference form). */
#define MAX_KEPT 1024
static struct { uint64_t s, e; } kept[MAX_KEPT];
static int nkept, kept_overflow;
struct span { const char *name; const char *vma; uint64_t base, len, lo, hi; int found; };
static struct span spans[512 + 4];
static int nspans;
static char keepbuf[16384];
static size_t keeplen;

static void keep_text(const char *p, size_t n) {
  if (keeplen + n > sizeof keepbuf) {
    send_block("vmas", keepbuf, keeplen);
    keeplen = 0;
  }
  memcpy(keepbuf + keeplen, p, n);
  keeplen += n;
}

static void span_set(struct span *sp, uint64_t base, uint64_t len) {
  sp->base = base;
  sp->len = len;
  sp->lo = base & ~(MLS_PAGE - 1);
  sp->hi = (base + len + MLS_PAGE - 1) & ~(MLS_PAGE - 1);
  if (sp->hi < sp->lo) sp->hi = ~0ULL & ~(MLS_PAGE - 1); /* wrapped: clamp, as send_region */
  sp->found = 1;
}

/* The regions, in the order send_regions() reports them. */
static void collect_spans(void) {
  nspans = 0;
  static const char *const vma_of[] = {NULL, "[stack]", "[vdso]", "[vvar]"};
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    int user = 0;
    for (int k = 0; k < region_count(); k++) user |= !strcmp(region_at(k)->name, builtins[i]);
    if (user) continue;
    struct span *sp = &spans[nspans++];
    memset(sp, 0, sizeof *sp);
    sp->name = builtins[i];
    sp->vma = vma_of[i];
    if (!sp->vma) { /* heap: [brk at start, current brk) */
      uint64_t cur = (uint64_t)syscall(SYS_brk, 0);
      /* brk may go below its value at start (down to mm->start_brk): the region is then empty, as in the model. */
      span_set(sp, brk_start, cur > brk_start ? cur - brk_start : 0);
    }
  }
  for (int k = 0; k < region_count() && nspans < (int)(sizeof spans / sizeof spans[0]); k++) {
    struct span *sp = &spans[nspans++];
    memset(sp, 0, sizeof *sp);
    sp->name = region_at(k)->name;
    span_set(sp, region_at(k)->base, region_at(k)->len);
  }
}

static int wanted(uint64_t s, uint64_t e, const char *name) {
  int want = 0;
  for (int i = 0; i < nspans; i++) {
    struct span *sp = &spans[i];
    if (sp->vma) {
      if (!strcmp(name, sp->vma)) {
        if (!sp->found) span_set(sp, s, e - s); /* the first VMA of that name, as region_lookup */
        want = 1;
      }
    } else if (sp->len == 0 ? (s <= sp->base && sp->base < e) : (s < sp->hi && e > sp->lo)) want = 1;
  }
  return want;
}

/* The number after "Key:" (line[0, n)), skipping spaces; no strtoull: this runs for every field line. */
static uint64_t kb_value(const char *line, size_t key) {
  const char *p = line + key;
  while (*p == ' ' || *p == '\t') p++;
  uint64_t v = 0;
  for (; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
  return v;
}
static uint64_t hex_value(const char *p, const char **end) {
  uint64_t v = 0;
  for (;; p++) {
    unsigned d = (unsigned)(*p - '0');
    if (d > 9) { d = (unsigned)((*p | 0x20) - 'a'); if (d > 5) break; d += 10; }
    v = v << 4 | d;
  }
  *end = p;
  return v;
}
static char *put_u64(char *o, uint64_t v, unsigned base) {
  char t[24];
  int n = 0;
  do { unsigned d = (unsigned)(v % base); t[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v /= base; } while (v);
  while (n) *o++ = t[--n];
  return o;
}

struct smaps_sum { unsigned long long count, locked_kb; int shared_locked; };

/* The kept VMA being read: its header fields until its VmFlags line (the last
 * of each VMA, fs/proc/task_mmu.c:show_smap) completes the `vmas` line. */
static struct {
  uint64_t s, e, rss, pss, locked, anon, huge;
  char perms[4];
  size_t namelen;
  int open;
  char name[MLS_LINE_MAX];
} cur;

static void emit_vma(const char *flags, size_t flen) {
  char line[256], *o = line;
  o = put_u64(o, cur.s, 16); *o++ = ' ';
  o = put_u64(o, cur.e, 16); *o++ = ' ';
  memcpy(o, cur.perms, 4); o += 4;
  const uint64_t v[] = {cur.rss, cur.pss, cur.locked, cur.anon, cur.huge};
  for (size_t i = 0; i < 5; i++) { *o++ = ' '; o = put_u64(o, v[i], 10); }
  *o++ = ' ';
  keep_text(line, (size_t)(o - line));
  keep_text(flags, flen);
  keep_text("\t", 1);
  keep_text(cur.name, cur.namelen);
  keep_text("\n", 1);
  cur.open = 0;
}

struct pass_state { struct smaps_sum *sum; int all, keep; uint64_t rss, pss; };
static int pass_line(char *line, size_t n, char *nl, void *ctx) {
  struct pass_state *st = ctx;
  char c0 = line[0];
  const char *end = line;
  uint64_t s = 0;
  /* Field names start with a capital letter, headers with a hex digit. */
  if ((c0 >= '0' && c0 <= '9') || (c0 >= 'a' && c0 <= 'f')) s = hex_value(line, &end);
  if (end != line && *end == '-') { /* header: start-end perms offset dev inode [name] */
    if (cur.open) emit_vma("", 0); /* a VMA without VmFlags (not printed by 6.18) */
    *nl = 0;
    uint64_t e = hex_value(end + 1, &end);
    const char *perms = end + 1;
    const char *p = end;
    for (int f = 0; f < 4 && p; f++) p = strchr(p + 1, ' ');
    const char *name = "";
    if (p) { while (*p == ' ') p++; name = p; }
    st->keep = st->all || wanted(s, e, name);
    st->sum->count++;
    st->rss = st->pss = 0;
    if (st->keep) {
      if (nkept < MAX_KEPT) { kept[nkept].s = s; kept[nkept].e = e; nkept++; }
      else kept_overflow = 1;
      cur.s = s;
      cur.e = e;
      memcpy(cur.perms, perms, 4);
      cur.namelen = (size_t)(nl - name);
      if (cur.namelen > sizeof cur.name) cur.namelen = sizeof cur.name;
      memcpy(cur.name, name, cur.namelen);
      cur.rss = cur.pss = cur.locked = cur.anon = cur.huge = 0;
      cur.open = 1;
    }
    *nl = '\n';
    return 0;
  }
  (void)n;
  if (c0 == 'R' && !memcmp(line, "Rss:", 4)) cur.rss = st->rss = kb_value(line, 4);
  else if (c0 == 'P' && !memcmp(line, "Pss:", 4)) cur.pss = st->pss = kb_value(line, 4);
  else if (c0 == 'L' && !memcmp(line, "Locked:", 7)) { cur.locked = kb_value(line, 7); st->sum->locked_kb += cur.locked; }
  else if (c0 == 'A' && n > 10 && !memcmp(line, "Anonymous:", 10)) cur.anon = kb_value(line, 10);
  else if (c0 == 'A' && n > 14 && !memcmp(line, "AnonHugePages:", 14)) cur.huge = kb_value(line, 14);
  else if (c0 == 'V' && n > 8 && !memcmp(line, "VmFlags:", 8)) {
    *nl = 0;
    /* A locked page shared with another process has a fractional PSS, so
     * the per-VMA Locked values (each rounded down) may not add up to
     * smaps_rollup's (rounded once). Pss == Rss says no page is shared. */
    if (strstr(line + 8, " lo") && st->pss != st->rss) st->sum->shared_locked = 1;
    *nl = '\n';
    if (st->keep && cur.open) {
      const char *f = line + 8, *fe = nl;
      while (f < fe && *f == ' ') f++;
      while (fe > f && fe[-1] == ' ') fe--;
      emit_vma(f, (size_t)(fe - f));
    }
  }
  return 0;
}
static void smaps_pass(struct smaps_sum *sum, int all) {
  memset(sum, 0, sizeof *sum);
  nkept = kept_overflow = 0;
  keeplen = 0;
  cur.open = 0;
  struct pass_state st = {.sum = sum, .all = all};
  if (smaps_each_line(pass_line, &st) < 0) { send_blockf("fail", "cannot open /proc/self/smaps: %s", strerror(errno)); return; }
  if (cur.open) emit_vma("", 0);
  if (keeplen) send_block("vmas", keepbuf, keeplen);
}

static void send_span(const struct span *sp) {
  send_blockf("region", "%s %llx %llu", sp->name, (unsigned long long)sp->base, (unsigned long long)sp->len);
  if (sp->len == 0) { if (want_pages) send_block("pageflags", "", 0); return; }
  struct resid r = {.base_page = sp->base / MLS_PAGE, .lo = sp->lo, .hi = sp->hi, .run_start = -1};
  ivlen = 0;
  res_base = r.base_page;
  nres_runs = res_overflow = 0;
  if (kept_overflow) maps_each(resid_cb, &r);
  else
    for (int i = 0; i < nkept; i++)
      if (kept[i].s < r.hi && kept[i].e > r.lo) resid_cb(kept[i].s, kept[i].e, NULL, &r);
  if (r.run_start >= 0) iv_emit((uint64_t)r.run_start, r.run_end);
  iv_flush();
  if (want_pages) send_pageflags(r.base_page, r.lo, r.hi, kept_overflow);
}

/* The VMAs overlapping [lo, hi), from the kept ranges or /proc/self/maps, then their page flags. */
static uint64_t pf_vmas[MAX_KEPT][2];
static int pf_nvmas;
static int pf_collect(uint64_t s, uint64_t e, const char *name, void *arg) {
  (void)name;
  const uint64_t *b = arg;
  if (s < b[1] && e > b[0] && pf_nvmas < MAX_KEPT) { pf_vmas[pf_nvmas][0] = s; pf_vmas[pf_nvmas][1] = e; pf_nvmas++; }
  return 0;
}
static void send_pageflags(uint64_t base_page, uint64_t lo, uint64_t hi, int from_maps) {
  uint64_t b[2] = {lo, hi};
  pf_nvmas = 0;
  if (!res_overflow) { /* the resident runs (inside the region's VMAs by construction) */
    pageflags_send(base_page, lo, hi, (const uint64_t (*)[2])res_runs, nres_runs);
    return;
  }
  if (from_maps) maps_each(pf_collect, b);
  else
    for (int i = 0; i < nkept; i++) pf_collect(kept[i].s, kept[i].e, NULL, b);
  pageflags_send(base_page, lo, hi, (const uint64_t (*)[2])pf_vmas, pf_nvmas);
}

__attribute__((noinline)) static void touch_stack(void) {
  volatile char deep[131072];
  for (size_t i = 0; i < sizeof deep; i += 512) deep[i] = 0;
}

void pretouch(void) {
  memset(kept, 0, sizeof kept);
  memset(spans, 0, sizeof spans);
  memset(keepbuf, 0, sizeof keepbuf);
  memset(&cur, 0, sizeof cur);
  memset(vec, 0, sizeof vec);
  memset(ivbuf, 0, sizeof ivbuf);
  memset(procbuf, 0, sizeof procbuf);
  memset(pf_vmas, 0, sizeof pf_vmas);
  memset(res_runs, 0, sizeof res_runs);
  pageflags_pretouch();
  send_pretouch();
  touch_stack();
}

/* The status lines a snapshot uses (fs/proc/task_mmu.c:task_mem), verbatim. */
static void send_status_lines(void) {
  int fd = proc_fd(&status_fd, "/proc/self/status");
  if (fd < 0) { send_blockf("fail", "cannot open /proc/self/status: %s", strerror(errno)); return; }
  ssize_t r, have = 0;
  while ((r = read(fd, procbuf + have, sizeof procbuf - 1 - (size_t)have)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0) have += r;
  procbuf[have] = 0;
  char out[256];
  size_t n = 0;
  for (char *line = procbuf, *nl; line < procbuf + have; line = nl + 1) {
    nl = strchr(line, '\n');
    if (!nl) nl = procbuf + have;
    size_t len = (size_t)(nl - line) + 1;
    if (line[0] == 'V' && line[1] == 'm' &&
        (!strncmp(line, "VmLck:", 6) || !strncmp(line, "VmPin:", 6) || !strncmp(line, "VmSize:", 7) || !strncmp(line, "VmRSS:", 6)) &&
        n + len < sizeof out) {
      memcpy(out + n, line, len);
      n += len;
    }
  }
  send_block("status", out, n);
}

void do_snapshot(int full, int pages, int meminfo) {
  want_pages = pages;
  if (pages) pageflags_drain();
  if (meminfo) meminfo_send();
  if (full) send_file_blocks("status", "/proc/self/status");
  else send_status_lines();
  if (full) {
    send_file_blocks("smaps", "/proc/self/smaps");
    send_file_blocks("rollup", "/proc/self/smaps_rollup");
    send_regions();
    mcl_probe_now();
    return;
  }
  struct smaps_sum sum;
  collect_spans();
  smaps_pass(&sum, 0);
  send_blockf("vmcount", "%llu %llu", sum.count, sum.locked_kb);
  if (sum.shared_locked) send_file_blocks("rollup", "/proc/self/smaps_rollup");
  for (int i = 0; i < nspans; i++)
    if (spans[i].found) send_span(&spans[i]);
  mcl_report();
}

/* The start image: every VMA, with the same lines as a snapshot (the image
 * needs ranges, names, Rss, Pss and VmFlags), and where a one-page mmap without
 * hint lands, unmapped at once ("mmaptop", its end): the image alone does not say
 * where top-down placement starts when no VMA marks mm->mmap_base (before 6.3 the
 * x86 vdso sat above the stack, arch/x86/entry/vdso/vma.c:vdso_addr, and ASLR moves
 * mmap_base by whole pages, so kernel-placed mappings fall anywhere in a 16-page
 * fault-around window or a 2 MiB page table). Nothing was ever mapped there: no
 * page table to free, nothing left behind. */
void do_image(void) {
  struct smaps_sum sum;
  send_blockf("brk", "%llx", (unsigned long long)brk_start);
  long page = sysconf(_SC_PAGESIZE);
  void *probe = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe != MAP_FAILED) {
    munmap(probe, (size_t)page);
    send_blockf("mmaptop", "%llx", (unsigned long long)((uintptr_t)probe + (uintptr_t)page));
  }
  nspans = 0;
  smaps_pass(&sum, 1);
  /* The per-CPU LRU and mlock batches start empty, whatever the scenario before left in
   * them: folio->mlock_count is only counted for a folio already on an LRU when its mlock
   * batch drains (mm/mlock.c:__mlock_folio, "nothing more we can do while it's off LRU";
   * mm/swap.c:lru_add_fn sets 0), so how full the two 15-folio batches were decided
   * whether a later munlock left a page mlocked (fuzz seed 1605 #5826 in the 6.1 guest).
   * A kernel without move_pages (no NUMA) keeps them as they are. */
  (void)lru_batches_drain();
}

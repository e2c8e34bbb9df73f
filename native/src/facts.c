/* `mls-exec facts`: facts of the running kernel that change what scenarios
 * observe, measured by behaviour in this fresh process (never by parsing the
 * kernel command line: a boot option, a config choice or the CPU may each be
 * the cause). One `key value` line per fact (SPEC.md Part II, "Host facts"):
 *   zero_page 1|0|-        huge_zero_page 1|0|-      pkeys 1|0|-
 *   anon_vmflags <letters>  page_size <n>
 * `-`: the probe could not tell. Everything mapped is unmapped again; no
 * system setting is read or changed here (the driver reads sysfs itself). */
#define _GNU_SOURCE
#include "proto.h"
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What smaps says of the VMA containing `addr` (kB as printed). */
struct vma_info { uint64_t addr; int in, found; long rss, anon_huge; char flags[256]; };
static int info_line(char *line, size_t n, char *nl, void *ctx) {
  (void)n;
  struct vma_info *v = ctx;
  *nl = 0;
  char *end;
  uint64_t s = strtoull(line, &end, 16);
  if (end != line && *end == '-') v->in = v->addr >= s && v->addr < strtoull(end + 1, NULL, 16);
  else if (v->in && !strncmp(line, "Rss:", 4)) v->rss = atol(line + 4);
  else if (v->in && !strncmp(line, "AnonHugePages:", 14)) v->anon_huge = atol(line + 14);
  else if (v->in && !strncmp(line, "VmFlags:", 8)) {
    char *f = line + 8;
    while (*f == ' ') f++;
    snprintf(v->flags, sizeof v->flags, "%s", f);
    for (size_t k = strlen(v->flags); k > 0 && v->flags[k - 1] == ' '; k--) v->flags[k - 1] = 0;
    v->found = 1; /* VmFlags is the entry's last line */
  }
  *nl = '\n';
  return v->found;
}
static int vma_info(void *addr, struct vma_info *v) {
  memset(v, 0, sizeof *v);
  v->addr = (uint64_t)addr;
  return smaps_each_line(info_line, v) == 0 && v->found ? 0 : -1;
}

/* Pages mincore(2) reports resident in [p, p + len): a zero page, small or
 * huge, counts as resident (mm/mincore.c: a present pte/pmd is resident). */
static long resident(void *p, size_t len, long page) {
  static unsigned char vec[512];
  size_t n = len / (size_t)page;
  if (n > sizeof vec || mincore(p, len, vec) < 0) return -1;
  long r = 0;
  for (size_t i = 0; i < n; i++) r += vec[i] & 1;
  return r;
}

/* Zero page. A read fault on an untouched private anonymous page maps the
 * shared zero page (mm/memory.c:do_anonymous_page, unless mm_forbids_zeropage():
 * e.g. pvm_no_zero_page=1), which smaps does not count in Rss
 * (fs/proc/task_mmu.c:smaps_pte_entry: vm_normal_page() is NULL for it).
 * Rss is compared before and after the read, since the page may have merged
 * into a neighbouring VMA; MADV_NOHUGEPAGE keeps a large merged VMA from
 * taking the fault as a (m)THP one. Also gives the VmFlags letters of a plain
 * private anonymous RW mapping (show_smap_vma_flags), read before the madvise. */
static const char *probe_zero_page(long page, char *flags, size_t cap) {
  const char *ans = "-";
  char *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return ans;
  struct vma_info before, after;
  if (vma_info(p, &before) == 0) snprintf(flags, cap, "%s", before.flags);
  madvise(p, (size_t)page, MADV_NOHUGEPAGE);
  if (vma_info(p, &before) == 0) {
    (void)*(volatile char *)p;
    if (vma_info(p, &after) == 0 && resident(p, (size_t)page, page) == 1) {
      long grew = after.rss - before.rss;
      ans = grew == 0 ? "1" : grew == page / 1024 ? "0" : "-";
    }
  }
  munmap(p, (size_t)page);
  return ans;
}

/* Huge zero page. A read fault in a THP-eligible 2 MiB block maps the huge
 * zero page with one PMD (mm/huge_memory.c:do_huge_pmd_anonymous_page, when
 * transparent_hugepage/use_zero_page and !mm_forbids_zeropage()), else a real
 * huge page (AnonHugePages 2048 kB). A PMD mapping makes mincore report all
 * 512 pages resident; that tells the huge zero page (Rss unchanged, 512
 * resident) from a small zero page (Rss unchanged, 1 resident) when THP is
 * never or the fault fell back to PTEs: those answer `-`. */
static const char *probe_huge_zero_page(long page) {
  const size_t huge = 2u << 20, len = 2 * huge;
  const char *ans = "-";
  char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return ans;
  char *p = (char *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
  struct vma_info before, after;
  if (madvise(m, len, MADV_HUGEPAGE) == 0 && vma_info(p, &before) == 0) {
    (void)*(volatile char *)p;
    long res = resident(p, huge, page);
    if (vma_info(p, &after) == 0) {
      if (after.rss == before.rss && res == (long)(huge / (size_t)page)) ans = "1";
      else if (after.anon_huge - before.anon_huge == (long)(huge >> 10)) ans = "0";
    }
  }
  munmap(m, len);
  return ans;
}

/* Protection keys. x86 page tables cannot express execute-only; with PKU the
 * kernel gives a PROT_EXEC-only mapping the execute-only pkey, whose PKRU bits
 * deny data access (arch/x86/mm/pkeys.c:__execute_only_pkey, mm/mprotect.c via
 * arch_override_mprotect_pkey), so a read raises SIGSEGV (SEGV_PKUERR). Without
 * PKU (no CPU support, or nopku) PROT_EXEC implies read and the read succeeds.
 * The fault is caught as the executor catches a step's (memaccess.c). */
static sigjmp_buf pk_jmp;
static void pk_fault(int sig) { siglongjmp(pk_jmp, sig); }
static const char *probe_pkeys(long page) {
  const char *ans = "-";
  char *p = mmap(NULL, (size_t)page, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return ans;
  struct sigaction sa, old_segv, old_bus;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = pk_fault;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old_segv);
  sigaction(SIGBUS, &sa, &old_bus);
  int sig = sigsetjmp(pk_jmp, 1);
  if (sig == 0) {
    (void)*(volatile char *)p;
    ans = "0";
  } else {
    ans = sig == SIGSEGV ? "1" : "-";
  }
  sigaction(SIGSEGV, &old_segv, NULL);
  sigaction(SIGBUS, &old_bus, NULL);
  munmap(p, (size_t)page);
  return ans;
}

int facts_main(void) {
  long page = sysconf(_SC_PAGESIZE);
  char flags[256] = "";
  const char *zero = probe_zero_page(page, flags, sizeof flags);
  printf("zero_page %s\n", zero);
  printf("huge_zero_page %s\n", probe_huge_zero_page(page));
  printf("pkeys %s\n", probe_pkeys(page));
  printf("anon_vmflags %s\n", flags);
  printf("page_size %ld\n", page);
  return fflush(stdout) == 0 ? 0 : 1;
}

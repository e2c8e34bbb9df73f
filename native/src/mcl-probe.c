/* The MCL_FUTURE probe: mm->def_flags (what mlockall(MCL_FUTURE) sets) is not
 * in /proc, so a snapshot maps a probe page and reads its VmFlags. Split from
 * observe.c, whose smaps line iterator it uses. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Find the VmFlags line of the VMA containing `addr`. */
struct flags_find { uint64_t addr; char *out; size_t cap; int in, found; };
static int flags_line(char *line, size_t n, char *nl, void *ctx) {
  (void)n;
  struct flags_find *f = ctx;
  *nl = 0;
  char *end;
  uint64_t s = strtoull(line, &end, 16);
  if (*end == '-' && end != line) f->in = f->addr >= s && f->addr < strtoull(end + 1, NULL, 16);
  else if (f->in && !strncmp(line, "VmFlags:", 8)) { snprintf(f->out, f->cap, "%s", line + 8); f->found = 1; }
  *nl = '\n';
  return f->found;
}
static int vma_flags(uint64_t addr, char *out, size_t cap) {
  struct flags_find f = {.addr = addr, .out = out, .cap = cap};
  return smaps_each_line(flags_line, &f) == 0 && f.found ? 0 : -1;
}

/* Raise (on = 1) or restore CAP_IPC_LOCK in the effective set; returns 1 when
 * it was raised by this call, so the caller knows to restore it. Only possible
 * while the capability stays permitted (a `cap drop` clears effective only). */
static int ipc_lock_effective(int on) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2];
  const uint32_t bit = 1u << CAP_IPC_LOCK;
  if (syscall(SYS_capget, &h, d) < 0) return 0;
  if (on && ((d[0].effective & bit) || !(d[0].permitted & bit))) return 0;
  d[0].effective = on ? d[0].effective | bit : d[0].effective & ~bit;
  return syscall(SYS_capset, &h, d) == 0;
}

/* MCL_FUTURE lives in mm->def_flags, which /proc does not show. A fresh
 * one-page PROT_READ anonymous mapping inherits def_flags (mm/mmap.c:do_mmap),
 * so its VmFlags tell: lo = on, lo lf (lo ?? before 6.2) = onfault. EAGAIN from the mmap itself
 * is mlock_future_ok() refusing the page, which only happens with def_flags
 * VM_LOCKED set; to tell on from onfault the probe is then repeated with
 * CAP_IPC_LOCK raised for that one mmap (capable() skips the limit), and the
 * effective set is restored right after. Without the capability permitted the
 * answer stays "on". */
static int mcl_off_known;
static void mcl_probe(void) {
  void *p = (void *)syscall(SYS_mmap, 0, MLS_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0);
  if (p == MAP_FAILED && errno == EAGAIN && ipc_lock_effective(1)) {
    p = (void *)syscall(SYS_mmap, 0, MLS_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0);
    int e = errno;
    ipc_lock_effective(0);
    if (p == MAP_FAILED) errno = e;
  }
  if (p == MAP_FAILED) {
    int e = errno;
    send_blockf("mcl", e == EAGAIN ? "on" : "unknown %s", strerrorname_np(e));
    return;
  }
  char flags[512];
  const char *state = "unknown";
  if (vma_flags((uint64_t)p, flags, sizeof flags) == 0) {
    /* Before v6.2 (8614d6c5eda0) VM_LOCKONFAULT had no mnemonic: show_smap_vma_flags prints "??". */
    int lo = strstr(flags, " lo") != NULL, lf = strstr(flags, " lf") != NULL || strstr(flags, " ??") != NULL;
    state = lf ? "onfault" : lo ? "on" : "off";
  }
  syscall(SYS_munmap, p, MLS_PAGE);
  mcl_off_known = !strcmp(state, "off");
  send_blockf("mcl", "%s", state);
}

/* The probe's answer is cached while it is "off" (mcl_off_known): then
 * def_flags lacks VM_LOCKED, the probe mmap can neither carry lo/lf nor fail
 * with EAGAIN, and only mlockall/munlockall (calls.c), fork (a new mm) or exec
 * (a new image) can change def_flags. Under on/onfault the answer also depends
 * on the lock limit (an EAGAIN probe reads "on"), so it is probed every time. */
void mcl_invalidate(void) { mcl_off_known = 0; }
void mcl_known_off(void) { mcl_off_known = 1; }

/* The `mcl` block of a snapshot: the cached "off", or a fresh probe. */
void mcl_report(void) {
  if (mcl_off_known) { send_blockf("mcl", "off"); return; }
  mcl_probe();
}

/* Snapshots taken with `snap full` always probe. */
void mcl_probe_now(void) { mcl_probe(); }

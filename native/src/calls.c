/* The memory-management syscalls a scenario step performs. Every call goes
 * through syscall(2) or a thin libc wrapper with no side effects, so what the
 * kernel returns is what gets reported. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

const char *last_bad_region(void);

/* Decode an argument; on failure reply "fail" and return non-zero. */
static int arg_addr(const char *t, uint64_t *v) {
  int r = parse_addr(t, v);
  if (r == -2) reply_fail("region %s is not bound in this process", last_bad_region());
  else if (r) reply_fail("bad address token %s", t);
  return r;
}
static int arg_len(const char *t, uint64_t *v) {
  int r = parse_len(t, v);
  if (r == -2) reply_fail("region %s is not bound in this process", last_bad_region());
  else if (r) reply_fail("bad length token %s", t);
  return r;
}
static int arg_u64(const char *t, uint64_t *v) {
  int r = parse_u64(t, v);
  if (r) reply_fail("bad number %s", t);
  return r;
}

static void reply_rc(long rc) {
  if (rc < 0) reply_errno(errno);
  else reply_okv(rc);
}

static void file_path(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/f-%s", tmp_dir, name); }

static void do_truncate(const char *name, uint64_t size) {
  char path[1200];
  file_path(path, sizeof path, name);
  reply_rc(truncate(path, (off_t)size));
}

/* fsync, fdatasync, posix_fadvise(POSIX_FADV_DONTNEED) on the whole file (SPEC §3.3). */
static void do_file_cache(const char *op, const char *name) {
  char path[1200];
  file_path(path, sizeof path, name);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) { reply_errno(errno); return; }
  int rc, e;
  if (!strcmp(op, "fsync")) { rc = fsync(fd); e = errno; }
  else if (!strcmp(op, "fdatasync")) { rc = fdatasync(fd); e = errno; }
  else { e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); rc = e ? -1 : 0; } /* returns the error */
  close(fd);
  if (rc < 0) reply_errno(e);
  else reply_okv(0);
}

static void bind_or_fail(const char *bind, uint64_t addr, uint64_t len) {
  if (strcmp(bind, "-") != 0 && region_bind(bind, addr, len) < 0) reply_fail("too many regions");
  else reply_ok(NULL);
}

/* mmap <bind|-> <len> <prot> <flags> <file|-> <offset> <addr|-> */
static void do_mmap(char **t, int n) {
  uint64_t len, prot, flags, off, at = 0;
  if (n != 8 || arg_len(t[2], &len) || arg_u64(t[3], &prot) || arg_u64(t[4], &flags) || arg_u64(t[6], &off)) {
    if (n != 8) reply_fail("mmap: %d arguments", n);
    return;
  }
  if (strcmp(t[7], "-") != 0 && arg_addr(t[7], &at)) return;
  int fd = -1;
  if (strcmp(t[5], "-") != 0) {
    char path[1200];
    file_path(path, sizeof path, t[5]);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) { reply_errno(errno); return; }
  }
  void *p = (void *)syscall(SYS_mmap, at, len, prot, flags, (long)fd, off);
  int e = errno;
  if (fd >= 0) close(fd);
  if (p == MAP_FAILED) { reply_errno(e); return; }
  bind_or_fail(t[1], (uint64_t)p, len);
}

/* memfd_secret <bind|-> <len> <prot> */
static void do_memfd_secret(char **t, int n) {
  uint64_t len, prot;
  if (n != 4 || arg_len(t[2], &len) || arg_u64(t[3], &prot)) return;
  int fd = (int)syscall(SYS_memfd_secret, O_CLOEXEC);
  if (fd < 0) { reply_errno(errno); return; }
  if (ftruncate(fd, (off_t)len) < 0) { int e = errno; close(fd); reply_errno(e); return; }
  void *p = mmap(NULL, len, (int)prot, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) { reply_errno(e); return; }
  bind_or_fail(t[1], (uint64_t)p, len);
}

/* mremap <bind|-> <addr> <oldlen> <newlen> <flags> <to|-> <rebind|->
 * Without a bind name, the driver may name the source region to rebind (SPEC). */
static void do_mremap(char **t, int n) {
  uint64_t addr, oldlen, newlen, flags, to = 0;
  if (n != 8) { reply_fail("mremap: %d arguments", n); return; }
  if (arg_addr(t[2], &addr) || arg_len(t[3], &oldlen) || arg_len(t[4], &newlen) || arg_u64(t[5], &flags)) return;
  if (strcmp(t[6], "-") != 0 && arg_addr(t[6], &to)) return;
  void *p = (void *)syscall(SYS_mremap, addr, oldlen, newlen, flags, to);
  if (p == MAP_FAILED) { reply_errno(errno); return; }
  const char *bind = strcmp(t[1], "-") != 0 ? t[1] : t[7];
  bind_or_fail(bind, (uint64_t)p, newlen);
}

/* brk <delta>: sbrk semantics on the raw syscall (which returns the break). */
static void do_brk(const char *d) {
  char *end;
  errno = 0;
  long long delta = strtoll(d, &end, 10);
  if (errno || *end) { reply_fail("bad delta %s", d); return; }
  uint64_t old = (uint64_t)syscall(SYS_brk, 0);
  if (delta == 0) { reply_ok(NULL); return; }
  uint64_t want = old + (uint64_t)delta;
  uint64_t got = (uint64_t)syscall(SYS_brk, want);
  if (got != want) reply_errno(ENOMEM);
  else reply_ok(NULL);
}

static int rlimit_resource(const char *name) {
  if (!strcmp(name, "memlock")) return RLIMIT_MEMLOCK;
  if (!strcmp(name, "as")) return RLIMIT_AS;
  if (!strcmp(name, "data")) return RLIMIT_DATA;
  if (!strcmp(name, "stack")) return RLIMIT_STACK;
  return -1;
}

static int rlimit_value(const char *tok, rlim_t cur, rlim_t *out) {
  if (!strcmp(tok, "unlimited")) { *out = RLIM_INFINITY; return 0; }
  if (!strcmp(tok, "keep")) { *out = cur; return 0; }
  uint64_t v;
  if (parse_u64(tok, &v)) return -1;
  *out = (rlim_t)v;
  return 0;
}

/* setrlimit <resource> <soft> <hard> */
static void do_setrlimit(char **t, int n) {
  int res = n == 4 ? rlimit_resource(t[1]) : -1;
  if (res < 0) { reply_fail("setrlimit: bad arguments"); return; }
  struct rlimit rl;
  if (getrlimit(res, &rl) < 0) { reply_errno(errno); return; }
  struct rlimit nl;
  if (rlimit_value(t[2], rl.rlim_cur, &nl.rlim_cur) || rlimit_value(t[3], rl.rlim_max, &nl.rlim_max)) {
    reply_fail("setrlimit: bad value");
    return;
  }
  reply_rc(setrlimit(res, &nl));
}

/* cap <drop|raise> <capability number>: the effective set only. */
static void do_cap(char **t, int n) {
  uint64_t cap;
  if (n != 3 || arg_u64(t[2], &cap) || cap >= 64) { if (n != 3) reply_fail("cap: bad arguments"); return; }
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0) { reply_errno(errno); return; }
  uint32_t bit = 1u << (cap % 32);
  if (!strcmp(t[1], "drop")) d[cap / 32].effective &= ~bit;
  else d[cap / 32].effective |= bit;
  reply_rc(syscall(SYS_capset, &h, d));
}

/* pin/unpin: a long-term pin as mainline does it, io_uring buffer registration
 * (io_uring/rsrc.c). One ring per pinned range, so ranges pin independently. */
#define MAX_PINS 64
static struct { int fd; uint64_t addr, len; } pins[MAX_PINS];
static int npins;

static void do_pin(uint64_t addr, uint64_t len) {
  if (npins >= MAX_PINS) { reply_fail("more than %d pinned ranges", MAX_PINS); return; }
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  int fd = (int)syscall(SYS_io_uring_setup, 1, &params);
  if (fd < 0) { reply_errno(errno); return; }
  struct iovec iov = {.iov_base = (void *)addr, .iov_len = len};
  if (syscall(SYS_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
    int e = errno;
    close(fd);
    reply_errno(e);
    return;
  }
  pins[npins].fd = fd;
  pins[npins].addr = addr;
  pins[npins].len = len;
  npins++;
  reply_okv(0);
}

static void do_unpin(uint64_t addr, uint64_t len) {
  for (int i = 0; i < npins; i++)
    if (pins[i].addr == addr && pins[i].len == len) {
      /* Unregister synchronously: closing alone defers the unpin to a worker. */
      long rc = syscall(SYS_io_uring_register, pins[i].fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
      int e = errno;
      close(pins[i].fd);
      pins[i] = pins[--npins];
      if (rc < 0) reply_errno(e);
      else reply_okv(0);
      return;
    }
  reply_errno(EINVAL); /* nothing pinned at exactly this range */
}

void do_call(char **t, int n) {
  const char *op = t[0];
  uint64_t a, l, x;
  if (!strcmp(op, "mmap")) return do_mmap(t, n);
  if (!strcmp(op, "memfd_secret")) return do_memfd_secret(t, n);
  if (!strcmp(op, "mremap")) return do_mremap(t, n);
  if (!strcmp(op, "setrlimit")) return do_setrlimit(t, n);
  if (!strcmp(op, "cap")) return do_cap(t, n);
  if (!strcmp(op, "user")) return do_user(t, n);
  if (!strcmp(op, "every_mapping")) return do_every_mapping(t, n);
  if (do_shm(t, n)) return;
  if (!strcmp(op, "file") && (n == 3 || n == 4)) {
    if (arg_u64(t[2], &x)) return;
    return do_file(t[1], x, n == 4 ? t[3] : NULL);
  }
  if (!strcmp(op, "unlink")) { if (n == 2) do_unlink(t[1]); else reply_fail("unlink: bad arguments"); return; }
  if (!strcmp(op, "file") || !strcmp(op, "truncate")) {
    if (n != 3 || arg_u64(t[2], &x)) { if (n != 3) reply_fail("%s: bad arguments", op); return; }
    return do_truncate(t[1], x);
  }
  if (!strcmp(op, "fsync") || !strcmp(op, "fdatasync") || !strcmp(op, "fadvise_dontneed")) {
    if (n == 2) do_file_cache(op, t[1]); else reply_fail("%s: bad arguments", op);
    return;
  }
  if (!strcmp(op, "brk")) { if (n == 2) do_brk(t[1]); else reply_fail("brk: bad arguments"); return; }
  /* A successful munlockall, or mlockall without MCL_FUTURE, leaves def_flags
   * without VM_LOCKED (mm/mlock.c:apply_mlockall_flags clears VM_LOCKED_MASK
   * first): the MCL_FUTURE state is then known to be off. */
  if (!strcmp(op, "mlockall")) {
    mcl_invalidate();
    if (n == 2 && !arg_u64(t[1], &x)) {
      long rc = syscall(SYS_mlockall, x);
      if (rc == 0 && !((int)x & MCL_FUTURE)) mcl_known_off(); /* the kernel takes flags as an int */
      reply_rc(rc);
    }
    return;
  }
  if (!strcmp(op, "munlockall")) {
    mcl_invalidate();
    long rc = syscall(SYS_munlockall);
    if (rc == 0) mcl_known_off();
    reply_rc(rc);
    return;
  }
  /* Everything else takes <addr> <len> [extra]. */
  if (n < 3) { reply_fail("%s: missing arguments", op); return; }
  if (arg_addr(t[1], &a) || arg_len(t[2], &l)) return;
  if (n == 4 && arg_u64(t[3], &x)) return;
  if (!strcmp(op, "munmap")) reply_rc(syscall(SYS_munmap, a, l));
  else if (!strcmp(op, "mlock")) reply_rc(syscall(SYS_mlock, a, l));
  else if (!strcmp(op, "munlock")) reply_rc(syscall(SYS_munlock, a, l));
  else if (!strcmp(op, "mlock2") && n == 4) reply_rc(syscall(SYS_mlock2, a, l, x));
  else if (!strcmp(op, "mprotect") && n == 4) reply_rc(syscall(SYS_mprotect, a, l, x));
  else if (!strcmp(op, "madvise") && n == 4) reply_rc(syscall(SYS_madvise, a, l, x));
  else if (!strcmp(op, "msync") && n == 4) reply_rc(syscall(SYS_msync, a, l, x));
  else if (!strcmp(op, "pin")) do_pin(a, l);
  else if (!strcmp(op, "unpin")) do_unpin(a, l);
  else if (!strcmp(op, "mpin") || !strcmp(op, "munpin")) reply_errno(ENOSYS); /* VM_PINNED never merged */
  else reply_fail("unknown command %s", op);
}

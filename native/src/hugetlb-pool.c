/* Huge pages for one scenario (SPEC Part II, SKIP rules): the supervisor raises
 * vm.nr_hugepages by what the scenario needs and lowers it by as much when the
 * scenario ends, and gives a scenario with hugetlbfs files a hugetlbfs mount of its
 * own in a private mount namespace (invisible to the rest of the machine, gone with
 * the supervisor). Changes are relative and made under an flock, so supervisors
 * running side by side compose: each gives back exactly what it took. If the
 * supervisor is SIGKILLed mid-scenario its pages stay reserved (nothing can run then). */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define LOCK_PATH "/tmp/.mls-nr_hugepages.lock"

static unsigned reserved; /* pages this supervisor added for the running scenario */

static long read_nr(void) {
  char b[32] = {0};
  int fd = open(NR_HUGEPAGES, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  return n > 0 ? strtol(b, NULL, 10) : -1;
}

static int write_nr(long v) {
  char b[32];
  int len = snprintf(b, sizeof b, "%ld\n", v < 0 ? 0 : v);
  int fd = open(NR_HUGEPAGES, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = write(fd, b, (size_t)len) == len ? 0 : -1;
  close(fd);
  return rc;
}

static int lock_pool(void) {
  int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) flock(fd, LOCK_EX);
  return fd;
}

/* Add `pages` to the pool; 0 when all were allocated, -1 otherwise (what was got is given back). */
int hugetlb_reserve(unsigned pages) {
  hugetlb_release();
  if (!pages) return 0;
  int lk = lock_pool();
  long before = read_nr();
  int ok = before >= 0 && write_nr(before + pages) == 0;
  long after = read_nr();
  if (after > before) reserved = (unsigned)(after - before);
  if (lk >= 0) close(lk);
  if (!ok || after < before + (long)pages) { hugetlb_release(); return -1; }
  return 0;
}

/* Give back what hugetlb_reserve added. Pages still in use become surplus and are freed
 * when released (mm/hugetlb.c:set_max_huge_pages), so the count returns to its value. */
void hugetlb_release(void) {
  if (!reserved) return;
  int lk = lock_pool();
  long now = read_nr();
  if (now >= 0) write_nr(now - (long)reserved);
  reserved = 0;
  if (lk >= 0) close(lk);
}

/* A hugetlbfs mount (2 MiB pages, open to every user) at <dir>/hugetlbfs, in a mount
 * namespace private to this supervisor (made once; its scenarios' processes inherit it). */
int hugetlbfs_mount(const char *dir) {
  static int private_ns;
  if (!private_ns) {
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return -1;
    private_ns = 1;
  }
  char mnt[1200];
  snprintf(mnt, sizeof mnt, "%s/hugetlbfs", dir);
  if (mkdir(mnt, 0777) < 0 && errno != EEXIST) return -1;
  return mount("mls", mnt, "hugetlbfs", MS_NOSUID | MS_NODEV, "pagesize=2M,mode=0777");
}

/* Where a scenario's file lives (SPEC §3.3 `file <f> <size> on <fs>`), and unlink.
 * Every file is reached through `<tmp_dir>/f-<name>`: the file itself when it lives in the
 * temp dir, else a symlink to it (/dev/shm, the scenario's hugetlbfs mount), so mmap,
 * truncate and fsync open it by that path in every process; the supervisor removes a
 * symlink's target with the scenario's dir. Worker side; the hugetlbfs mount and the huge
 * page reservation are the supervisor's (hugetlb-pool.c). */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define TMPFS_MAGIC_ 0x01021994
#define HUGETLBFS_MAGIC_ 0x958458f6

static char zeros[4096];

/* Write `size` bytes: the data is in the page cache like a real file's (dirty). */
static int fill(int fd, uint64_t size) {
  for (uint64_t done = 0; done < size;) {
    size_t n = size - done > sizeof zeros ? sizeof zeros : (size_t)(size - done);
    ssize_t w = write(fd, zeros, n);
    if (w < 0) return errno;
    done += (uint64_t)w;
  }
  return 0;
}

static int fs_magic(const char *dir, long magic) {
  struct statfs s;
  return statfs(dir, &s) == 0 && (long)s.f_type == magic;
}

/* A name unique to this scenario: its temp dir's inode, which no other live dir shares. */
static void unique_name(char *out, size_t cap, const char *name) {
  struct stat st;
  if (stat(tmp_dir, &st) < 0) memset(&st, 0, sizeof st);
  snprintf(out, cap, "mls-%lx-%lx-%s", (unsigned long)st.st_dev, (unsigned long)st.st_ino, name);
}

/* file <name> <size> [disk|tmpfs|shm|hugetlbfs] */
void do_file(const char *name, uint64_t size, const char *fs) {
  char path[1200], real[1200], shm_name[600];
  snprintf(path, sizeof path, "%s/f-%s", tmp_dir, name);
  /* A file declared again is a new file under the old name (as the model's createFile): the old one
   * lives on in its mappings; a symlink's target goes too, or nothing would remove it. */
  char old[1200];
  ssize_t ol = readlink(path, old, sizeof old - 1);
  if (ol > 0) { old[ol] = 0; unlink(old); }
  unlink(path);
  int fd, hugetlb = fs && !strcmp(fs, "hugetlbfs");
  const char *target = NULL;
  if (!fs || !strcmp(fs, "disk") || (!strcmp(fs, "tmpfs") && fs_magic(tmp_dir, TMPFS_MAGIC_))) {
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  } else if (!strcmp(fs, "shm")) {
    unique_name(shm_name + 1, sizeof shm_name - 1, name);
    shm_name[0] = '/';
    fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600); /* glibc: open("/dev/shm/<name>", O_NOFOLLOW | O_CLOEXEC | …) */
    snprintf(real, sizeof real, "/dev/shm%s", shm_name);
    target = real;
  } else if (!strcmp(fs, "tmpfs")) {
    if (!fs_magic("/dev/shm", TMPFS_MAGIC_)) { reply_fail("file %s on tmpfs: /dev/shm is not a tmpfs", name); return; }
    unique_name(shm_name, sizeof shm_name, name);
    snprintf(real, sizeof real, "/dev/shm/%s", shm_name);
    fd = open(real, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    target = real;
  } else if (hugetlb) {
    char mnt[1100];
    snprintf(mnt, sizeof mnt, "%s/hugetlbfs", tmp_dir);
    if (!fs_magic(mnt, HUGETLBFS_MAGIC_)) { reply_fail("file %s on hugetlbfs: the scenario has no hugetlbfs mount (the driver starts it with one)", name); return; }
    snprintf(real, sizeof real, "%s/%s", mnt, name);
    fd = open(real, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    target = real;
  } else { reply_fail("file: unknown filesystem %s", fs); return; }
  if (fd < 0) { reply_errno(errno); return; }
  fchmod(fd, 0666); /* a process that became another user (user.c) opens it too */
  if (target && symlink(target, path) < 0) { int e = errno; close(fd); unlink(target); reply_fail("file %s: symlink: %s", name, strerror(e)); return; }
  /* hugetlbfs has no write_iter: its size is set, its pages come from the pool at fault
   * (fs/hugetlbfs/inode.c:hugetlbfs_setattr, EINVAL unless whole huge pages). */
  int e = hugetlb ? (ftruncate(fd, (off_t)size) < 0 ? errno : 0) : fill(fd, size);
  close(fd);
  if (e) reply_errno(e);
  else reply_okv(0);
}

/* unlink <name>: unlink(2), or shm_unlink(3) for a POSIX shm object; the name goes. */
void do_unlink(const char *name) {
  char path[1200], target[1200];
  snprintf(path, sizeof path, "%s/f-%s", tmp_dir, name);
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n < 0) { /* in the temp dir (or gone: ENOENT) */
    if (unlink(path) < 0) reply_errno(errno);
    else reply_okv(0);
    return;
  }
  target[n] = 0;
  int rc = !strncmp(target, "/dev/shm/", 9) ? shm_unlink(target + 8) : unlink(target);
  int e = errno;
  unlink(path);
  if (rc < 0) reply_errno(e);
  else reply_okv(0);
}

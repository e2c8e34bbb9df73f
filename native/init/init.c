/* /init of the `--target vm` guest (runner/targets/vm/): PID 1 of an initramfs
 * holding only itself, /mls-exec (the host's static executor) and the kernel's
 * virtio modules when they are modules (/modules/NN-name.ko, loaded in name order).
 *
 * It mounts /proc, /sys, /dev (devtmpfs) and a tmpfs on /tmp, sets the machine
 * to the model's defaults where the kernel allows (SPEC "VM target"):
 *   THP enabled=madvise (Debian's kernels boot with `always`), defrag=madvise;
 *   khugepaged scanning once a day (the model has no khugepaged; under TCG a scenario
 *   spans many of its 10 s scans, so collapses made the guest's results unrepeatable);
 *   RLIMIT_MEMLOCK 8 MiB soft and hard (the host's: a guest's init starts with the
 *   kernel's MLOCK_LIMIT, which is 8 MiB since 5.16 anyway);
 *   CAP_SYS_RESOURCE dropped from the bounding and permitted sets (the test machine's
 *   root lacks it, runtime/image.ts DEFAULT_IMAGE.capBnd).
 * Then it writes one reply frame on the virtio port (the driver reads it as the
 * guest's facts: `facts`/`probe` outputs of the executor, procfs/sysfs files, the
 * /tmp filesystem type) and runs `mls-exec supervise /tmp/mls` with the port as
 * stdin/stdout. When the supervisor exits (the driver closed the port) the guest
 * powers off. The console (ttyS0, a log file on the host) carries only messages. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT "/dev/vport0p1"
#define EXEC "/mls-exec"
#define THP "/sys/kernel/mm/transparent_hugepage"
#define CAP_SYS_RESOURCE_BIT 24

static void say(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "mls-init: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
}

static void power_off(void) {
  sync();
  reboot(LINUX_REBOOT_CMD_POWER_OFF);
  for (;;) pause();
}

static char out[1 << 20];
static size_t olen;

static void block(const char *tag, const char *a, size_t alen, const char *b, size_t blen) {
  if (olen + 64 + alen + blen > sizeof out) return;
  olen += (size_t)snprintf(out + olen, 64, "%s %zu\n", tag, alen + blen);
  memcpy(out + olen, a, alen);
  olen += alen;
  memcpy(out + olen, b, blen);
  olen += blen;
}

/* `file` block: "<path>\n<contents>"; nothing when the file cannot be read. */
static void send_file(const char *path) {
  static char buf[65536];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return;
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) > 0) n += (size_t)r;
  close(fd);
  char head[512];
  int hl = snprintf(head, sizeof head, "%s\n", path);
  block("file", head, (size_t)hl, buf, n);
}

/* `dir` block: "<path>\n<entry>\n<entry>…" */
static void send_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) return;
  static char buf[8192];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n + strlen(e->d_name) + 2 < sizeof buf) {
    if (e->d_name[0] == '.') continue;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\n", e->d_name);
  }
  closedir(d);
  char head[512];
  int hl = snprintf(head, sizeof head, "%s\n", path);
  block("dir", head, (size_t)hl, buf, n);
}

/* The stdout of `/mls-exec <mode>` as a block named after the mode. */
static void send_run(const char *mode) {
  int p[2];
  if (pipe(p) < 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execl(EXEC, "mls-exec", mode, (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  static char buf[4096];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf && (r = read(p[0], buf + n, sizeof buf - n)) > 0) n += (size_t)r;
  close(p[0]);
  if (pid > 0) waitpid(pid, NULL, 0);
  block(mode, "", 0, buf, n);
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  ssize_t r = write(fd, text, strlen(text));
  close(fd);
  return r < 0 ? -1 : 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void load_modules(void) {
  struct dirent **list;
  int n = scandir("/modules", &list, NULL, by_name);
  for (int i = 0; i < n; i++) {
    if (list[i]->d_name[0] != '.') {
      char path[512];
      snprintf(path, sizeof path, "/modules/%s", list[i]->d_name);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) < 0) {
        if (errno != EEXIST) say("cannot load module %s: %s", path, strerror(errno));
      }
      if (fd >= 0) close(fd);
    }
    free(list[i]);
  }
  if (n >= 0) free(list);
}

/* CAP_SYS_RESOURCE out of the bounding, permitted, effective and inheritable sets. */
static void drop_sys_resource(void) {
  if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE_BIT, 0, 0, 0) < 0) say("PR_CAPBSET_DROP: %s%s", strerror(errno), "");
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0) return;
  d[0].permitted &= ~(1u << CAP_SYS_RESOURCE_BIT);
  d[0].effective &= ~(1u << CAP_SYS_RESOURCE_BIT);
  d[0].inheritable &= ~(1u << CAP_SYS_RESOURCE_BIT);
  if (syscall(SYS_capset, &h, d) < 0) say("capset: %s%s", strerror(errno), "");
}

int main(void) {
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  /* shm_open(3) names live in /dev/shm, a tmpfs on every distribution (`file … on shm`). */
  mkdir("/dev/shm", 01777);
  mount("tmpfs", "/dev/shm", "tmpfs", 0, "mode=1777");
  mkdir("/tmp", 01777);
  mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
  mkdir("/tmp/mls", 0700);
  load_modules();

  write_file(THP "/enabled", "madvise");
  write_file(THP "/defrag", "madvise");
  write_file(THP "/khugepaged/scan_sleep_millisecs", "86400000");
  struct rlimit lim = { 8 << 20, 8 << 20 };
  setrlimit(RLIMIT_MEMLOCK, &lim);
  drop_sys_resource();

  int port = -1;
  for (int i = 0; i < 1000 && port < 0; i++) { /* the port appears when virtio_console probes it */
    port = open(PORT, O_RDWR | O_CLOEXEC);
    if (port < 0) {
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep(&ts, NULL);
    }
  }
  if (port < 0) {
    say("no %s (%s): is the kernel's virtio console (CONFIG_VIRTIO_CONSOLE, CONFIG_VIRTIO_PCI) built in or given as a module?", PORT, strerror(errno));
    power_off();
  }

  send_run("facts");
  send_run("probe");
  static const char *files[] = {
    "/proc/sys/kernel/osrelease", "/proc/version", "/proc/self/status", "/proc/meminfo", "/proc/self/limits",
    "/proc/cmdline", "/proc/sys/vm/overcommit_memory", "/proc/sys/vm/max_map_count",
    THP "/enabled", THP "/defrag", THP "/shmem_enabled", THP "/use_zero_page",
  };
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) send_file(files[i]);
  send_dir(THP);
  DIR *d = opendir(THP);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (strncmp(e->d_name, "hugepages-", 10)) continue;
    char path[512];
    snprintf(path, sizeof path, THP "/%s/enabled", e->d_name);
    send_file(path);
  }
  if (d) closedir(d);
  struct statfs sf;
  char fstype[32];
  int fl = snprintf(fstype, sizeof fstype, "%lx", statfs("/tmp/mls", &sf) == 0 ? (unsigned long)sf.f_type : 0ul);
  block("tmpfs_type", "", 0, fstype, (size_t)fl);
  block("end", "", 0, "", 0);
  for (size_t off = 0; off < olen;) {
    ssize_t w = write(port, out + off, olen - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) power_off();
    off += (size_t)w;
  }

  pid_t pid = fork();
  if (pid == 0) {
    dup2(port, 0);
    dup2(port, 1);
    execl(EXEC, "mls-exec", "supervise", "/tmp/mls", (char *)NULL);
    say("exec %s: %s", EXEC, strerror(errno));
    _exit(127);
  }
  /* PID 1 reaps every orphan until the supervisor ends, then powers off. */
  for (;;) {
    int st;
    pid_t w = wait(&st);
    if (w == pid || (w < 0 && errno == ECHILD)) break;
  }
  power_off();
}

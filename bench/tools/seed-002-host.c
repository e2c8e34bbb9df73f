// Seed 002 (lock-on-fault cover letter, lines 49-81) on this host's kernel, at a
// size the machine allows: one file of SIZE bytes of random data, then for each
// strategy mmap(PROT_READ, MAP_PRIVATE) and
//   whole:   mlock() the whole range (setup), then ACCESSES random reads;
//   onfault: mlock2(MLOCK_ONFAULT) the whole range (setup), then the reads;
//   each:    no setup, mlock() the page before each read.
// Reads pick pages with the SPEC.md §3.7 xorshift64* generator (seed 2), as the
// model bench does. Prints one JSON line per strategy: setup and processing CPU
// and wall ms, min_flt of each phase (getrusage), VmRSS and VmLck after, failed
// mlock calls. Usage: seed-002-host FILE SIZE ACCESSES (the file is removed).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

static double now_ms(clockid_t c) { struct timespec ts; clock_gettime(c, &ts); return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6; }
static long minflt(void) { struct rusage r; getrusage(RUSAGE_SELF, &r); return r.ru_minflt; }
static long status_kb(const char *key) {
  FILE *f = fopen("/proc/self/status", "r"); char line[256]; long v = -1; size_t n = strlen(key);
  while (f && fgets(line, sizeof line, f)) if (!strncmp(line, key, n)) { v = atol(line + n); break; }
  if (f) fclose(f);
  return v;
}

static uint64_t x;
static uint64_t next_page(uint64_t pages) {
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  return (x * 0x2545f4914f6cdd1dULL) % pages;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s FILE SIZE ACCESSES\n", argv[0]); return 2; }
  const char *path = argv[1];
  size_t size = strtoull(argv[2], 0, 0), pages = size / 4096;
  long accesses = atol(argv[3]);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) { perror("open"); return 1; }
  unlink(path); // gone when we exit, whatever happens
  // "a 5 GB file filled with random data": written through the page cache, so it is cached.
  size_t chunk = 1 << 20; uint64_t *buf = malloc(chunk); x = 0x9e3779b97f4a7c15ULL;
  for (size_t off = 0; off < size; off += chunk) {
    for (size_t i = 0; i < chunk / 8; i++) { x ^= x >> 12; x ^= x << 25; x ^= x >> 27; buf[i] = x * 0x2545f4914f6cdd1dULL; }
    if (write(fd, buf, chunk) != (ssize_t)chunk) { perror("write"); return 1; }
  }
  fsync(fd);
  const char *names[] = { "whole", "onfault", "each" };
  for (int s = 0; s < 3; s++) {
    long f0 = minflt(); double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ms(CLOCK_MONOTONIC);
    volatile unsigned char *m = mmap(0, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    long failed = 0;
    if (s == 0 && mlock((void *)m, size)) failed++;
    if (s == 1 && syscall(SYS_mlock2, m, size, MLOCK_ONFAULT)) failed++;
    long f1 = minflt(); double c1 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w1 = now_ms(CLOCK_MONOTONIC);
    x = 2; unsigned sum = 0;
    for (long i = 0; i < accesses; i++) {
      size_t pg = next_page(pages);
      if (s == 2 && mlock((void *)(m + pg * 4096), 4096)) failed++;
      sum += m[pg * 4096];
    }
    long f2 = minflt(); double c2 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w2 = now_ms(CLOCK_MONOTONIC);
    printf("{\"strategy\":\"%s\",\"bytes\":%zu,\"accesses\":%ld,\"setupCpuMs\":%.3f,\"setupWallMs\":%.3f,"
           "\"procCpuMs\":%.3f,\"procWallMs\":%.3f,\"setupFaults\":%ld,\"procFaults\":%ld,"
           "\"rssKb\":%ld,\"lckKb\":%ld,\"failedMlock\":%ld,\"sum\":%u}\n",
           names[s], size, accesses, c1 - c0, w1 - w0, c2 - c1, w2 - w1, f1 - f0, f2 - f1,
           status_kb("VmRSS:"), status_kb("VmLck:"), failed, sum);
    fflush(stdout);
    munmap((void *)m, size);
  }
  close(fd);
  return 0;
}

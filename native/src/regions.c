/* Region bindings (name -> base, len) of this process, address/length tokens,
 * and a /proc/self/maps line iterator. Bindings live in static memory, so fork
 * copies them and exec forgets them, exactly as SPEC.md §3.1 wants. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_REGIONS 512
static struct region regions[MAX_REGIONS];
static int nregions;
char tmp_dir[1024];
uint64_t brk_start;

void regions_reset(void) { nregions = 0; }
int region_count(void) { return nregions; }
const struct region *region_at(int i) { return &regions[i]; }

int region_bind(const char *name, uint64_t base, uint64_t len) {
  for (int i = 0; i < nregions; i++)
    if (strcmp(regions[i].name, name) == 0) {
      regions[i].base = base;
      regions[i].len = len;
      return 0;
    }
  if (nregions >= MAX_REGIONS || strlen(name) >= sizeof regions[0].name) return -1;
  strcpy(regions[nregions].name, name);
  regions[nregions].base = base;
  regions[nregions].len = len;
  nregions++;
  return 0;
}

struct named { const char *want; uint64_t start, end; int found; };
static int find_named(uint64_t s, uint64_t e, const char *name, void *arg) {
  struct named *n = arg;
  if (strcmp(name, n->want) == 0) {
    n->start = s;
    n->end = e;
    n->found = 1;
    return 1;
  }
  return 0;
}

int region_lookup(const char *name, uint64_t *base, uint64_t *len) {
  for (int i = 0; i < nregions; i++)
    if (strcmp(regions[i].name, name) == 0) {
      *base = regions[i].base;
      *len = regions[i].len;
      return 1;
    }
  if (strcmp(name, "heap") == 0) {
    uint64_t cur = (uint64_t)syscall(SYS_brk, 0);
    *base = brk_start;
    *len = cur > brk_start ? cur - brk_start : 0; /* a break below its start value: empty */
    return 1;
  }
  const char *vma = strcmp(name, "stack") == 0 ? "[stack]"
                    : strcmp(name, "vdso") == 0 ? "[vdso]"
                    : strcmp(name, "vvar") == 0 ? "[vvar]" : NULL;
  if (!vma) return 0;
  struct named n = {.want = vma};
  maps_each(find_named, &n);
  if (!n.found) return 0;
  *base = n.start;
  *len = n.end - n.start;
  return 1;
}

int parse_u64(const char *tok, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(tok, &end, 10);
  if (errno || *end || end == tok) return -1;
  *out = v;
  return 0;
}

static char bad_region[128];
const char *last_bad_region(void) { return bad_region; }

int parse_addr(const char *tok, uint64_t *out) {
  if (tok[0] == 'n' && tok[1] == ':') return parse_u64(tok + 2, out);
  if (tok[0] != 'r' || tok[1] != ':') return -1;
  char name[128];
  const char *p = tok + 2, *colon = strchr(p, ':');
  if (!colon || (size_t)(colon - p) >= sizeof name) return -1;
  memcpy(name, p, (size_t)(colon - p));
  name[colon - p] = 0;
  char which = colon[1];
  if (colon[2] != ':') return -1;
  char *end;
  errno = 0;
  long long off = strtoll(colon + 3, &end, 10);
  if (errno || *end) return -1;
  uint64_t base, len;
  if (!region_lookup(name, &base, &len)) { snprintf(bad_region, sizeof bad_region, "%s", name); return -2; }
  *out = base + (which == 'e' ? len : 0) + (uint64_t)off; /* modulo 2^64 */
  return 0;
}

int parse_len(const char *tok, uint64_t *out) {
  if (tok[0] == 'b' && tok[1] == ':') return parse_u64(tok + 2, out);
  if (tok[0] != 'l' || tok[1] != ':') return -1;
  uint64_t base;
  if (!region_lookup(tok + 2, &base, out)) { snprintf(bad_region, sizeof bad_region, "%s", tok + 2); return -2; }
  return 0;
}

/* maps lines are short; a 64 KiB chunk plus a carried partial line suffices. */
#define mapsbuf procbuf

int maps_each(int (*cb)(uint64_t, uint64_t, const char *, void *), void *arg) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t have = 0;
  int stop = 0;
  while (!stop) {
    ssize_t r = read(fd, mapsbuf + have, 65536);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    size_t pos = 0;
    for (;;) {
      char *nl = memchr(mapsbuf + pos, '\n', have - pos);
      if (!nl) break;
      *nl = 0;
      char *line = mapsbuf + pos;
      pos = (size_t)(nl - mapsbuf) + 1;
      char *end;
      uint64_t s = strtoull(line, &end, 16);
      uint64_t e = strtoull(end + 1, &end, 16);
      /* name: the 6th field; skip 5 space-separated fields then spaces */
      char *p = end;
      for (int f = 0; f < 4 && p; f++) { p = strchr(p + 1, ' '); }
      const char *name = "";
      if (p) { while (*p == ' ') p++; name = p; }
      if (cb(s, e, name, arg)) { stop = 1; break; }
    }
    memmove(mapsbuf, mapsbuf + pos, have - pos);
    have -= pos;
    if (have >= MLS_LINE_MAX) have = 0; /* absurd line: drop it */
  }
  close(fd);
  return 0;
}

#!/usr/bin/env node
// Build the host executor native/build/mls-exec with the system C compiler.
// Static when libc.a is there (the worker's image is then tiny and identical on
// every run), dynamic otherwise. Exits non-zero with a clear message on failure;
// the host target then reports itself unavailable and model runs keep working.
//
// The static image keeps a fixed size: scenarios record kernel values that
// include the executor's own mappings (scenarios/kernel/43: total_vm == 404p),
// so a code change must not move them. After linking, the loadable segments
// are measured and a bss pad (MLS_IMAGE_PAD) brings them to IMAGE_PAGES.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pages of the PT_LOAD segments of the image the repo's scenarios were recorded with. */
const IMAGE_PAGES = 329;
const PAGE = 4096;

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build', 'mls-exec');
const sources = readdirSync(join(here, 'src')).filter((f) => f.endsWith('.c')).map((f) => join(here, 'src', f));
const flags = (pad) => ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-strict-aliasing', `-DMLS_IMAGE_PAD=${pad}`, '-o', out, ...sources];

/** PT_LOAD segments of an ELF64 little-endian file: [{vaddr, memsz}]. */
function loads(path) {
  const b = readFileSync(path);
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  const segs = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (b.readUInt32LE(o) === 1) segs.push({ vaddr: Number(b.readBigUInt64LE(o + 0x10)), memsz: Number(b.readBigUInt64LE(o + 0x28)) });
  }
  return segs;
}
const pagesOf = (segs) => segs.reduce((n, s) => n + (Math.ceil((s.vaddr + s.memsz) / PAGE) - Math.floor(s.vaddr / PAGE)), 0);

if (process.platform !== 'linux') {
  process.stderr.write(`native: the host executor needs Linux (this is ${process.platform})\n`);
  process.exit(1);
}
mkdirSync(join(here, 'build'), { recursive: true });
const cc = ['cc', 'gcc'].find((c) => {
  try { execFileSync(c, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
});
if (!cc) {
  process.stderr.write('native: no C compiler (cc or gcc) found; install one to use the host target\n');
  process.exit(1);
}
const link = (args) => execFileSync(cc, args, { stdio: ['ignore', 'ignore', 'pipe'] });

let built = false;
try {
  let pad = 0;
  link(['-static', ...flags(pad)]);
  built = true;
  // Grow the bss pad until the last segment ends in the page that gives the
  // recorded count (re-measured: alignment may move things by a few bytes).
  for (let round = 0; round < 4; round++) {
    const segs = loads(out);
    const have = pagesOf(segs);
    if (have === IMAGE_PAGES || (have > IMAGE_PAGES && pad === 0)) break;
    const last = segs[segs.length - 1];
    const end = last.vaddr + last.memsz;
    const target = Math.ceil(end / PAGE) * PAGE + (IMAGE_PAGES - have) * PAGE - 256;
    pad = Math.max(0, pad + target - end);
    link(['-static', ...flags(pad)]);
  }
  const pages = pagesOf(loads(out));
  if (pages !== IMAGE_PAGES) {
    process.stderr.write(`native: the static image has ${pages} pages, not ${IMAGE_PAGES}: scenarios that record the executor's size (total_vm) will see other values\n`);
  }
  process.stderr.write(`native: built ${out} (static, ${pages} image pages, pad ${pad} bytes)\n`);
} catch (err) {
  if (built) throw err;
  try {
    link(flags(0));
    process.stderr.write(`native: built ${out} (dynamic)\n`);
  } catch (e2) {
    process.stderr.write(`native: ${cc} failed to build the host executor:\n${e2.stderr?.toString() ?? e2.message}\n`);
    process.exit(1);
  }
}

// The guest's /init for `--target vm` (native/init/init.c): static only (it runs in an
// initramfs without a libc); without libc.a the vm target reports itself unavailable.
const init = join(here, 'build', 'mls-init');
try {
  link(['-static', '-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', init, join(here, 'init', 'init.c')]);
  process.stderr.write(`native: built ${init} (static, the vm target's guest init)\n`);
} catch (e) {
  process.stderr.write(`native: no static guest init (the vm target needs one): ${e.stderr?.toString() ?? e.message}\n`);
}

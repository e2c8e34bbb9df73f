// The uncompressed kernel inside a bzImage, booted in its place: qemu's -kernel
// enters an ELF vmlinux with a PVH entry note (CONFIG_PVH) directly, so the
// guest does not decompress itself under TCG (Debian's 6.12-cloud is zstd:
// ~0.7 s of its boot; 6.1-cloud's lz4 ~0.3 s; measured 2026-12-06). The ELF is
// cached beside the kernel cache, keyed by the image's path, size and mtime.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where extracted kernels are kept (MLS_VMLINUX_CACHE, else ~/.cache/mls/vmlinux). */
export function vmlinuxCacheDir(): string {
  return process.env['MLS_VMLINUX_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'mls', 'vmlinux');
}

/** The decompressor for a bzImage payload, by its magic (arch/x86/boot/compressed/Makefile's suffixes). */
function decompressor(p: Buffer): string[] | undefined {
  const magic = (bytes: number[]): boolean => bytes.every((b, i) => p[i] === b);
  if (magic([0x28, 0xb5, 0x2f, 0xfd])) return ['zstd', '-dcq'];
  if (magic([0x02, 0x21, 0x4c, 0x18])) return ['lz4', '-dcq'];
  if (magic([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return ['xz', '-dcq'];
  if (magic([0x1f, 0x8b])) return ['gzip', '-dcq'];
  return undefined;
}

/** The payload of a bzImage (setup header: setup_sects at 0x1f1, payload_offset/length at 0x248/0x24c, boot protocol ≥ 2.08). */
export function bzImagePayload(img: Buffer): Buffer | undefined {
  if (img.length < 0x250 || img.toString('latin1', 0x202, 0x206) !== 'HdrS' || img.readUInt16LE(0x206) < 0x208) return undefined;
  const setupSects = img[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + img.readUInt32LE(0x248);
  const len = img.readUInt32LE(0x24c);
  return start + len <= img.length && len > 0 ? img.subarray(start, start + len) : undefined;
}

/** Whether an ELF64 has a Xen PHYS32_ENTRY note (type 18): the PVH entry qemu's -kernel uses. */
export function hasPvhNote(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > elf.length || elf.readUInt32LE(ph) !== 4 /* PT_NOTE */) continue;
    let off = Number(elf.readBigUInt64LE(ph + 8));
    const end = off + Number(elf.readBigUInt64LE(ph + 32));
    while (off + 12 <= end && end <= elf.length) {
      const namesz = elf.readUInt32LE(off), descsz = elf.readUInt32LE(off + 4), type = elf.readUInt32LE(off + 8);
      const name = elf.toString('latin1', off + 12, off + 12 + namesz).replace(/\0+$/, '');
      if (name === 'Xen' && type === 18) return true;
      off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
    }
  }
  return false;
}

/**
 * The image qemu should boot for `image`: a cached PVH vmlinux extracted from it, or the image
 * itself (already an ELF, no PVH note, no decompressor on PATH, anything unexpected: the bzImage
 * boots as before, only slower).
 */
export function pvhKernel(image: string, cacheDir = vmlinuxCacheDir()): string {
  try {
    const st = statSync(image);
    const key = createHash('sha256').update(`${image}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
    const out = join(cacheDir, `${key}.vmlinux`);
    if (existsSync(out)) return out;
    const img = readFileSync(image);
    if (img.readUInt32BE(0) === 0x7f454c46) return image;
    const payload = bzImagePayload(img);
    const cmd = payload && decompressor(payload);
    if (!payload || !cmd) return image;
    // Every payload but gzip's ends in its uncompressed size (the Makefile's *_with_size): cut off, then checked.
    const sized = cmd[0] !== 'gzip';
    const stream = sized ? payload.subarray(0, payload.length - 4) : payload;
    const r = spawnSync(cmd[0]!, cmd.slice(1), { input: stream, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] });
    if (r.status !== 0 || !r.stdout || (sized && r.stdout.length !== payload.readUInt32LE(payload.length - 4)) || !hasPvhNote(r.stdout)) return image;
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, r.stdout);
    renameSync(tmp, out); // atomic: workers extracting the same image at once each write their own tmp
    return out;
  } catch {
    return image;
  }
}

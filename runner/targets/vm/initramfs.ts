// The guest's initramfs: /init (native/init/init.c), /mls-exec (the host's static
// executor: the same binary runs in any x86-64 guest), /dev/console for init's
// stdio, and the kernel's virtio modules as /modules/NN-name.ko (loaded in order).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cpioArchive, type CpioEntry } from './cpio.js';

export function initramfs(o: { init: string; executor: string; modules: readonly string[] }): Buffer {
  const entries: CpioEntry[] = [
    { kind: 'dir', path: 'dev' },
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'dir', path: 'proc' },
    { kind: 'dir', path: 'sys' },
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'dir', path: 'modules' },
    { kind: 'file', path: 'init', data: readFileSync(o.init), mode: 0o755 },
    { kind: 'file', path: 'mls-exec', data: readFileSync(o.executor), mode: 0o755 },
    ...o.modules.map((m, i): CpioEntry => ({ kind: 'file', path: `modules/${String(i).padStart(2, '0')}-${basename(m)}`, data: readFileSync(m) })),
  ];
  return cpioArchive(entries);
}

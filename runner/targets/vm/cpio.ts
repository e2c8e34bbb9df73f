// A newc ("070701") cpio archive, the initramfs format the kernel unpacks
// (init/initramfs.c, Documentation/driver-api/early-userspace/buffer-format.rst):
// per entry a 110-byte ASCII header of thirteen 8-digit hex fields, the name with
// its NUL padded to 4 bytes, the data padded to 4 bytes; a `TRAILER!!!` entry ends it.
// Written here so the vm target needs no cpio tool on the host.

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  /** A device node (`/dev/console`: the kernel opens it for init's stdio before devtmpfs is mounted). */
  | { kind: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFCHR = 0o020000;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, nameSize: number, rdev: [number, number] = [0, 0]): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return '070701' + [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, size, 0, 0, rdev[0], rdev[1], nameSize, 0].map(hex8).join('');
}

/** The archive of `entries`, in the order given (a directory before what it holds). */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const push = (head: string, name: string, data: Uint8Array = new Uint8Array(0)): void => {
    const nameBytes = Buffer.from(name + '\0', 'utf8');
    const h = Buffer.from(head, 'latin1');
    parts.push(h, nameBytes, Buffer.alloc(pad4(h.length + nameBytes.length)), Buffer.from(data), Buffer.alloc(pad4(data.length)));
  };
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (!name || name.includes('\0')) throw new Error(`cpio: bad path ${JSON.stringify(e.path)}`);
    const nameSize = Buffer.byteLength(name, 'utf8') + 1;
    if (e.kind === 'dir') push(header(ino++, S_IFDIR | (e.mode ?? 0o755), 0, nameSize), name);
    else if (e.kind === 'file') push(header(ino++, S_IFREG | (e.mode ?? 0o644), e.data.length, nameSize), name, e.data);
    else push(header(ino++, S_IFCHR | (e.mode ?? 0o600), 0, nameSize, [e.major, e.minor]), name);
  }
  push(header(0, 0, 0, 'TRAILER!!!'.length + 1), 'TRAILER!!!');
  return Buffer.concat(parts);
}

// /proc/self/mountinfo, for the filesystems whose st_dev names no backing device
// (overlayfs, btrfs): the mount of a superblock by its st_dev, its source and its
// super options (Documentation/filesystems/proc.rst, "/proc/<pid>/mountinfo").
import { readFileSync } from 'node:fs';

export interface MountEntry {
  /** st_dev of the superblock, "major:minor" (field 3). */
  dev: string;
  /** Mount point (field 5), unescaped. */
  point: string;
  fstype: string;
  /** The mount source (the device for block filesystems), unescaped. */
  source: string;
  /** Super options, by name ("upperdir" → its value, unescaped; flags map to ""). */
  superOptions: Map<string, string>;
}

/** The kernel's octal escapes (fs/proc_namespace.c:mangle, seq_show_option: space, tab, newline, backslash, comma, '='). */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** One mountinfo line, or undefined when it is not one (the separator " - " is missing). */
export function parseMountLine(line: string): MountEntry | undefined {
  const sep = line.indexOf(' - ');
  if (sep < 0) return undefined;
  const head = line.slice(0, sep).split(' ');
  const [fstype, source, opts] = line.slice(sep + 3).split(' ');
  if (head.length < 6 || !fstype || source === undefined) return undefined;
  const superOptions = new Map<string, string>();
  // Option values are escaped, so a raw ',' separates options.
  for (const o of (opts ?? '').split(',')) {
    if (!o) continue;
    const eq = o.indexOf('=');
    superOptions.set(eq < 0 ? o : o.slice(0, eq), eq < 0 ? '' : unescape(o.slice(eq + 1)));
  }
  return { dev: head[2]!, point: unescape(head[4]!), fstype, source: unescape(source), superOptions };
}

export function parseMountinfo(text: string): MountEntry[] {
  return text.split('\n').map(parseMountLine).filter((m): m is MountEntry => m !== undefined);
}

/** The mountinfo text at `path`, or undefined when it cannot be read. */
export function readMountinfo(path = '/proc/self/mountinfo'): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * The mount a (symlink-free, absolute) path is in: the longest mount point that
 * holds it, the last mounted of equal ones (mountinfo lists mounts in mount order;
 * an over-mount comes after what it hides).
 */
export function mountOfPath(mounts: MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const inside = m.point === '/' || path === m.point || path.startsWith(m.point + '/');
    if (inside && (!best || m.point.length >= best.point.length)) best = m;
  }
  return best;
}

/**
 * The mount of the superblock whose st_dev is `dev`: every bind mount of one
 * superblock shows the same source and super options, so the first one will do.
 */
export function mountOfDev(mounts: MountEntry[], dev: string): MountEntry | undefined {
  return mounts.find((m) => m.dev === dev);
}

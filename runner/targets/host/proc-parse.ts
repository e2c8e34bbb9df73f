// Parse the raw /proc text the executor sends (status, smaps, smaps_rollup)
// into observation-schema values. Formats: fs/proc/task_mmu.c (show_map_vma,
// show_smap, show_smap_vma_flags, task_mem) and fs/proc/array.c, Linux 6.18.
import type { RegionObservation, StartImage, Status, VmaObservation } from '../../../schema/generated/types.js';

export const PAGE = 4096;

export interface SmapsVma {
  start: bigint;
  end: bigint;
  prot: string;
  shared: boolean;
  name: string;
  /** "Rss", "Pss", "Locked", … in bytes. */
  fields: Record<string, number>;
  flags: string[];
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-])([ps]) [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ \d+\s*(.*)$/;

/** `Key:   123 kB` lines → bytes; lines without a kB unit keep their number. */
function field(line: string): [string, number] | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  let i = colon + 1;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  if (i === colon + 1) return undefined;
  const d0 = i;
  while (line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  if (i === d0) return undefined;
  const v = Number(line.slice(d0, i));
  let rest = line.slice(i).trimEnd();
  const kb = rest === ' kB';
  if (kb) rest = '';
  if (rest.trim() !== '' || !/^\w+$/.test(line.slice(0, colon))) return undefined;
  return [line.slice(0, colon), kb ? v * 1024 : v];
}

const STATUS_KEYS = Object.fromEntries(['VmLck', 'VmPin', 'VmSize', 'VmRSS'].map((k) => [k, new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm')]));

export function parseStatus(text: string): Status {
  const get = (key: string): number => {
    const m = STATUS_KEYS[key]!.exec(text);
    if (!m) throw new Error(`/proc/self/status has no ${key} line`);
    return Number(m[1]) * 1024;
  };
  return { VmLck: get('VmLck'), VmPin: get('VmPin'), VmSize: get('VmSize'), VmRSS: get('VmRSS') };
}

/**
 * Field lines start with a capital letter (`Rss:`), headers with a hex digit;
 * only headers go through the regular expression (this runs for every
 * snapshot of every step when fuzzing).
 */
export function parseSmaps(text: string): SmapsVma[] {
  const out: SmapsVma[] = [];
  let cur: SmapsVma | undefined;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line === '') continue;
    const c = line.charCodeAt(0);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) { // 0-9 a-f: a VMA header
      const h = HEADER.exec(line);
      if (h) {
        cur = {
          start: BigInt('0x' + h[1]), end: BigInt('0x' + h[2]), prot: h[3]!, shared: h[4] === 's',
          name: h[5] ?? '', fields: {}, flags: [],
        };
        out.push(cur);
        continue;
      }
    }
    if (!cur) throw new Error(`smaps: field before the first VMA header: ${line}`);
    if (line.startsWith('VmFlags:')) {
      cur.flags = line.slice(8).trim().split(/\s+/).filter((f) => f !== '');
      continue;
    }
    const f = field(line);
    if (f) cur.fields[f[0]] = f[1];
  }
  return out;
}

/** smaps_rollup's `Locked:` (the PSS of resident pages in VM_LOCKED VMAs), bytes. */
export function parseRollupLocked(text: string): number {
  const m = /^Locked:\s+(\d+) kB$/m.exec(text);
  if (!m) throw new Error('smaps_rollup has no Locked line');
  return Number(m[1]) * 1024;
}

/** The resident block text: "first end" page intervals, one per line. */
export function parseIntervals(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [a, b] = line.trim().split(/\s+/).map(Number);
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) {
      throw new Error(`bad resident interval: ${line}`);
    }
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b; // runs split by a VMA boundary
    else out.push([a, b]);
  }
  return out;
}

export function vmaObservation(v: SmapsVma, base: bigint): VmaObservation {
  const f = (k: string): number => v.fields[k] ?? 0;
  return {
    start: Number(v.start - base), end: Number(v.end - base), prot: v.prot, shared: v.shared,
    flags: v.flags, rss: f('Rss'), pss: f('Pss'), locked: f('Locked'), anonymous: f('Anonymous'),
  };
}

/** VMAs overlapping [base, base+len); for an empty region, the VMA containing base. */
export function regionObservation(
  vmas: readonly SmapsVma[], base: bigint, len: bigint, resident: [number, number][],
): RegionObservation {
  const end = base + len;
  const hit = vmas.filter((v) => (len === 0n ? v.start <= base && base < v.end : v.start < end && v.end > base));
  return { len: Number(len), vmas: hit.map((v) => vmaObservation(v, base)), resident };
}

export function startImage(vmas: readonly SmapsVma[], brkStart: string): StartImage {
  return {
    brkStart: '0x' + BigInt('0x' + brkStart.replace(/^0x/, '')).toString(16),
    vmas: vmas.map((v) => ({
      start: '0x' + v.start.toString(16), end: '0x' + v.end.toString(16), prot: v.prot, shared: v.shared,
      name: v.name, flags: v.flags, rss: v.fields['Rss'] ?? 0, pss: v.fields['Pss'] ?? 0,
    })),
  };
}

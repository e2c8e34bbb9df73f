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

/** The fields a VMA observation uses, in bytes (absent from smaps: 0). */
const vmaSizes = (v: SmapsVma): [number, number, number, number, number] => {
  const f = v.fields;
  return [f['Rss'] ?? 0, f['Pss'] ?? 0, f['Locked'] ?? 0, f['Anonymous'] ?? 0, f['AnonHugePages'] ?? 0];
};

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-])([ps]) [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ \d+\s*(.*)$/;

const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

/**
 * A `Key:   123 kB` line of text[from, to) → [key, bytes]; without the kB unit
 * the number is kept as is; anything else → undefined. Hand-rolled (no regular
 * expression, no line copy): it runs for every line of every snapshot.
 */
function fieldAt(text: string, from: number, to: number): [string, number] | undefined {
  let i = from;
  while (i < to && isWord(text.charCodeAt(i))) i++;
  if (i === from || i >= to || text.charCodeAt(i) !== 58) return undefined; // ':'
  const key = text.slice(from, i);
  i++;
  const s0 = i;
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  if (i === s0) return undefined;
  let v = 0;
  const d0 = i;
  for (let c = text.charCodeAt(i); i < to && c >= 48 && c <= 57; c = text.charCodeAt(++i)) v = v * 10 + (c - 48);
  if (i === d0) return undefined;
  if (i - d0 > 15) v = Number(text.slice(d0, i)); // past 2^53 the running sum rounds differently
  let kb = false;
  if (i + 3 <= to && text.charCodeAt(i) === 32 && text.charCodeAt(i + 1) === 107 && text.charCodeAt(i + 2) === 66) { // " kB"
    kb = true;
    i += 3;
  }
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  if (i !== to) return undefined;
  return [key, kb ? v * 1024 : v];
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

/** fn(from, end) for each line of text: [from, end) without its newline; empty lines skipped. */
function eachLine(text: string, fn: (from: number, end: number) => void): void {
  const n = text.length;
  for (let pos = 0; pos < n;) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    if (nl > pos) fn(pos, nl);
    pos = nl + 1;
  }
}

/** Field lines start with a capital letter (`Rss:`), headers with a hex digit; only headers meet a regular expression. */
export function parseSmaps(text: string): SmapsVma[] {
  const out: SmapsVma[] = [];
  let cur: SmapsVma | undefined;
  eachLine(text, (from, nl) => {
    const c = text.charCodeAt(from);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) { // 0-9 a-f: a VMA header
      const h = HEADER.exec(text.slice(from, nl));
      if (h) {
        cur = {
          start: BigInt('0x' + h[1]), end: BigInt('0x' + h[2]), prot: h[3]!, shared: h[4] === 's',
          name: h[5] ?? '', fields: {}, flags: [],
        };
        out.push(cur);
        return;
      }
    }
    if (!cur) throw new Error(`smaps: field before the first VMA header: ${text.slice(from, nl)}`);
    if (c === 86 && text.startsWith('VmFlags:', from)) {
      cur.flags = text.slice(from + 8, nl).split(' ').filter((f) => f !== ''); // "VmFlags: rd wr mr "
      return;
    }
    const f = fieldAt(text, from, nl);
    if (f) cur.fields[f[0]] = f[1];
  });
  return out;
}

/**
 * The executor's `vmas` lines (native/src/observe.c, SPEC.md "Host target"):
 * `<start> <end> <perms> <Rss> <Pss> <Locked> <Anonymous> <AnonHugePages> <VmFlags…>\t<name>`,
 * addresses hex, sizes kB. The same VMAs as parseSmaps gives for the smaps text they were read from.
 * Hand-rolled (no split, no BigInt from strings): it runs for every VMA of every snapshot.
 */
export function parseVmaLines(text: string): SmapsVma[] {
  const out: SmapsVma[] = [];
  eachLine(text, (from, nl) => {
    const tab = text.indexOf('\t', from);
    if (tab < 0 || tab > nl) throw badVmaLine(text, from, nl, 'line without a name field');
    wordAt = from;
    const start = vmaWord(text, from, nl, tab, 16), end = vmaWord(text, from, nl, tab, 16);
    let i = wordAt;
    if (i + 4 > tab || text.charCodeAt(i + 4) !== 32) throw badVmaLine(text, from, nl, 'bad line');
    const prot = text.slice(i, i + 3), shared = text.charCodeAt(i + 3) === 115; // 's'
    wordAt = i + 5;
    const kb = [0, 0, 0, 0, 0];
    for (let k = 0; k < 5; k++) {
      if (wordAt >= tab) throw badVmaLine(text, from, nl, 'bad line');
      kb[k] = (vmaWord(text, from, nl, tab, 10) as number) * 1024;
    }
    i = wordAt;
    const flags: string[] = [];
    for (let f = i; f < tab;) {
      let e = text.indexOf(' ', f);
      if (e < 0 || e > tab) e = tab;
      if (e > f) flags.push(text.slice(f, e));
      f = e + 1;
    }
    out.push({
      start: typeof start === 'bigint' ? start : BigInt(start), end: typeof end === 'bigint' ? end : BigInt(end),
      prot, shared, name: text.slice(tab + 1, nl),
      fields: { Rss: kb[0]!, Pss: kb[1]!, Locked: kb[2]!, Anonymous: kb[3]!, AnonHugePages: kb[4]! },
      flags,
    });
  });
  return out;
}

const badVmaLine = (text: string, from: number, nl: number, what: string): Error => new Error(`vmas: ${what}: ${text.slice(from, nl)}`);

/** parseVmaLines' cursor (module state rather than a closure per line). */
let wordAt = 0;

/** The space-separated word at wordAt as a number in `base` (hex words: a bigint past 2^52); wordAt moves past it. */
function vmaWord(text: string, from: number, nl: number, tab: number, base: 10 | 16): number | bigint {
  let i = wordAt;
  const w0 = i;
  let v = 0;
  for (; i < tab; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : base === 16 && c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) break;
    v = v * base + d;
  }
  if (i === w0 || (i < tab && text.charCodeAt(i) !== 32)) throw badVmaLine(text, from, nl, base === 16 ? 'bad address' : 'bad size');
  const digits = i - w0;
  wordAt = i + 1;
  if (base === 16) return digits > 13 ? BigInt('0x' + text.slice(w0, w0 + digits)) : v;
  if (digits > 15) throw badVmaLine(text, from, nl, 'bad size');
  return v;
}

/** smaps_rollup's `Locked:` (the PSS of resident pages in VM_LOCKED VMAs), bytes. */
export function parseRollupLocked(text: string): number {
  const m = /^Locked:\s+(\d+) kB$/m.exec(text);
  if (!m) throw new Error('smaps_rollup has no Locked line');
  return Number(m[1]) * 1024;
}

/** The resident block text: "first end" page intervals (decimal), one per line. Hand-rolled: it runs for every region of every snapshot. */
export function parseIntervals(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  for (let pos = 0; pos < n;) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    let i = pos;
    const from = pos;
    pos = nl + 1;
    const ws = (): void => { while (i < nl && isSpace(text.charCodeAt(i))) i++; };
    const num = (): number => {
      const d0 = i;
      let v = 0;
      for (let c = text.charCodeAt(i); i < nl && c >= 48 && c <= 57; c = text.charCodeAt(++i)) v = v * 10 + (c - 48);
      if (i === d0) return NaN;
      return i - d0 > 15 ? Number(text.slice(d0, i)) : v; // past 2^53 the running sum rounds differently
    };
    ws();
    if (i === nl) continue;
    const a = num();
    const sp = i;
    ws();
    const b = i > sp ? num() : NaN;
    ws();
    if (Number.isNaN(a) || Number.isNaN(b) || i !== nl) throw new Error(`bad resident interval: ${text.slice(from, nl)}`);
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b; // runs split by a VMA boundary
    else out.push([a, b]);
  }
  return out;
}

export function vmaObservation(v: SmapsVma, base: bigint): VmaObservation {
  const [rss, pss, locked, anonymous, anonHuge] = vmaSizes(v);
  return {
    start: Number(v.start - base), end: Number(v.end - base), prot: v.prot, shared: v.shared,
    flags: v.flags, rss, pss, locked, anonymous, anonHuge,
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

export function startImage(vmas: readonly SmapsVma[], brkStart: string, mmapTop?: string): StartImage {
  const hex = (h: string): string => '0x' + BigInt('0x' + h.replace(/^0x/, '')).toString(16);
  return {
    brkStart: hex(brkStart),
    ...(mmapTop ? { mmapTop: hex(mmapTop) } : {}),
    vmas: vmas.map((v) => ({
      start: '0x' + v.start.toString(16), end: '0x' + v.end.toString(16), prot: v.prot, shared: v.shared,
      name: v.name, flags: v.flags, rss: v.fields['Rss'] ?? 0, pss: v.fields['Pss'] ?? 0,
    })),
  };
}

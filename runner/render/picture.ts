// A small text picture of a region's address space at one step: its VMAs,
// their lock state and which pages are resident. Plain text (stored in the
// results document); the spec reporter colours nothing in it.
import type { AddressSpace, RegionObservation, Snapshot } from '../../schema/generated/types.js';
import { PAGE, formatBytes, formatOffset } from './values.js';
import { clipRuns, type Intervals } from './resident-map.js';

const MAX_CELLS = 64;

function lockState(flags: readonly string[]): string {
  if (flags.includes('lo') && flags.includes('lf')) return 'locked on fault';
  if (flags.includes('lo')) return 'locked';
  if (flags.includes('lf')) return 'on-fault only (lf without lo)';
  return 'unlocked';
}

/**
 * Resident pages of [first, end) as cells: '#' all resident, '+' some, '.' none (k pages per cell when long).
 * One pass over the (sorted) intervals: O(cells + intervals), whatever the region's size.
 */
function residentCells(resident: Intervals, first: number, end: number): string {
  const pages = Math.max(0, end - first);
  if (pages === 0) return '';
  const per = Math.ceil(pages / MAX_CELLS);
  const runs = clipRuns(resident.map(([a, b]) => [a - first, b - first] as const), pages);
  let out = '', k = 0;
  for (let c = 0; c < pages; c += per) {
    const stop = Math.min(pages, c + per);
    let n = 0;
    while (k < runs.length && runs[k]![1] <= c) k++;
    for (let j = k; j < runs.length && runs[j]![0] < stop; j++) n += Math.min(runs[j]![1], stop) - Math.max(runs[j]![0], c);
    out += n === 0 ? '.' : n === stop - c ? '#' : '+';
  }
  return per > 1 ? `${out}  (${per} pages per cell)` : out;
}

export function regionPicture(name: string, r: RegionObservation): string[] {
  const lines = [`${name}: ${formatBytes(r.len)}, ${r.vmas.length} VMA${r.vmas.length === 1 ? '' : 's'}`];
  if (r.vmas.length === 0) lines.push('  (nothing mapped)');
  const ranges = r.vmas.map((v) => `[${formatOffset(v.start)}, ${formatOffset(v.end)})`);
  const w = Math.max(0, ...ranges.map((s) => s.length));
  r.vmas.forEach((v, i) => {
    // Resident intervals index pages of [base, base+len): clip the VMA to it.
    const first = Math.max(0, Math.floor(v.start / PAGE));
    const end = Math.min(Math.ceil(r.len / PAGE), Math.ceil(v.end / PAGE));
    const cells = residentCells(r.resident, first, end);
    const share = v.shared ? 'shared ' : 'private';
    lines.push(`  ${ranges[i]!.padEnd(w)}  ${v.prot} ${share}  ${lockState(v.flags).padEnd(15)}  [${v.flags.join(' ')}]`);
    if (cells) lines.push(`  ${''.padEnd(w)}  resident ${cells}`);
  });
  return lines;
}

/** The regions a picture shows: the failing check's region, or every region but the vdso's. */
function pictured(snap: Snapshot, region?: string): string[] {
  return region !== undefined && snap.regions[region] ? [region] : Object.keys(snap.regions).filter((n) => !['vdso', 'vvar'].includes(n));
}

/** The same picture as data, for reporters that draw (the HTML report's SVG). */
export function snapshotAddressSpace(snap: Snapshot, region?: string): AddressSpace {
  return {
    ...(region !== undefined ? { region } : {}),
    regions: pictured(snap, region).map((name) => {
      const r = snap.regions[name]!;
      return {
        name, len: r.len, resident: r.resident.map(([a, b]) => [a, b]),
        vmas: r.vmas.map((v) => ({ start: v.start, end: v.end, prot: v.prot, shared: v.shared, flags: [...v.flags] })),
      };
    }),
  };
}

export function snapshotPicture(snap: Snapshot, region?: string): string {
  const head = `process: VmLck ${formatBytes(snap.status.VmLck)}, Locked ${formatBytes(snap.lockedTotal)}, ` +
    `map_count ${snap.mapCount}, mcl_future ${snap.mclFuture}`;
  const names = pictured(snap, region);
  return [head, ...names.flatMap((n) => regionPicture(n, snap.regions[n]!))].join('\n');
}

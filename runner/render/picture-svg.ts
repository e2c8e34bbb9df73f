// The address-space picture (picture.ts draws it as text) as SVG, for the HTML
// report: each region a bar of its VMAs to scale, coloured by lock state and
// labelled with range, protection and VmFlags; under it one cell per page (or
// per group of pages): locked and resident, resident, or not resident.
import type { AddressSpace, RegionPicture } from '../../schema/generated/types.js';
import { PAGE, formatBytes, formatOffset } from './values.js';

const WIDTH = 760;
const BAR = 34;
const CELL_ROW = 14;
const MAX_CELLS = 128;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type LockKind = 'locked' | 'onfault' | 'unlocked';

export function lockKind(flags: readonly string[]): LockKind {
  if (flags.includes('lo') && flags.includes('lf')) return 'onfault';
  return flags.includes('lo') ? 'locked' : 'unlocked';
}

const FILL: Record<LockKind, string> = { locked: '#c94f4f', onfault: '#e0a040', unlocked: '#8fb3c9' };
const PAGE_FILL = { lockedResident: '#8b1e1e', resident: '#3c9a5f', absent: '#e3e3e3' } as const;

/** Pages of [first, end) as cells of `per` pages: how many are resident, and whether they lie in a locked VMA. */
function cells(r: RegionPicture): Array<{ first: number; end: number; resident: number; locked: boolean }> {
  const pages = Math.ceil(r.len / PAGE);
  const per = Math.max(1, Math.ceil(pages / MAX_CELLS));
  const out = [];
  for (let c = 0; c < pages; c += per) {
    const end = Math.min(pages, c + per);
    let resident = 0;
    for (const [a, b] of r.resident) resident += Math.max(0, Math.min(b!, end) - Math.max(a!, c));
    const locked = r.vmas.some((v) => v.flags.includes('lo') && v.start < end * PAGE && v.end > c * PAGE);
    out.push({ first: c, end, resident, locked });
  }
  return out;
}

function regionSvg(r: RegionPicture, y: number): { svg: string; height: number } {
  const lo = Math.min(0, ...r.vmas.map((v) => v.start));
  const hi = Math.max(r.len, ...r.vmas.map((v) => v.end), 1);
  const x = (off: number) => ((off - lo) / (hi - lo)) * WIDTH;
  const parts: string[] = [];
  parts.push(`<text x="0" y="${y + 12}" class="rname">${escapeXml(`${r.name}: ${formatBytes(r.len)}, ${r.vmas.length} VMA${r.vmas.length === 1 ? '' : 's'}`)}</text>`);
  let top = y + 18;
  if (r.vmas.length === 0) {
    parts.push(`<text x="0" y="${top + 14}" class="none">(nothing mapped)</text>`);
    return { svg: parts.join(''), height: 40 };
  }
  for (const v of r.vmas) {
    const kind = lockKind(v.flags);
    const x0 = x(v.start), w = Math.max(2, x(v.end) - x0);
    const range = `[${formatOffset(v.start)}, ${formatOffset(v.end)})`;
    const label = `${range} ${v.prot} ${v.shared ? 'shared' : 'private'} ${kind}`;
    parts.push(`<g class="vma" data-lock="${kind}"><title>${escapeXml(`${label}\nVmFlags: ${v.flags.join(' ')}`)}</title>` +
      `<rect x="${x0.toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="${BAR}" fill="${FILL[kind]}" stroke="#333" stroke-width="1"/>` +
      `<text x="${(x0 + 4).toFixed(1)}" y="${top + 14}" class="vlabel">${escapeXml(w > 7 * label.length ? label : range)}</text>` +
      `<text x="${(x0 + 4).toFixed(1)}" y="${top + 28}" class="vflags">${escapeXml(w > 7 * v.flags.join(' ').length ? v.flags.join(' ') : '')}</text></g>`);
  }
  top += BAR + 4;
  const cs = cells(r);
  const cw = (x(r.len) - x(0)) / Math.max(1, cs.length);
  cs.forEach((c, i) => {
    const fill = c.resident === 0 ? PAGE_FILL.absent : c.locked ? PAGE_FILL.lockedResident : PAGE_FILL.resident;
    const what = c.resident === 0 ? 'not resident' : `${c.resident} of ${c.end - c.first} resident${c.locked ? ', locked' : ''}`;
    const pages = c.end - c.first === 1 ? `page ${c.first}` : `pages ${c.first}–${c.end - 1}`;
    parts.push(`<rect class="page" x="${(x(0) + i * cw).toFixed(1)}" y="${top}" width="${Math.max(1, cw - 1).toFixed(1)}" height="${CELL_ROW}" fill="${fill}"><title>${escapeXml(`${pages}: ${what}`)}</title></rect>`);
  });
  return { svg: parts.join(''), height: top + CELL_ROW + 14 - y };
}

/** One SVG for the picture, with a legend; self-contained (no external fonts or images). */
export function addressSpaceSvg(a: AddressSpace): string {
  let y = 0;
  const body: string[] = [];
  for (const r of a.regions) {
    const { svg, height } = regionSvg(r, y);
    body.push(svg);
    y += height;
  }
  const legend = [
    [FILL.locked, 'VMA locked'], [FILL.onfault, 'VMA locked on fault'], [FILL.unlocked, 'VMA unlocked'],
    [PAGE_FILL.lockedResident, 'page resident, locked'], [PAGE_FILL.resident, 'page resident'], [PAGE_FILL.absent, 'page not resident'],
  ].map(([c, t], i) => `<rect x="${(i % 3) * 250}" y="${y + 4 + Math.floor(i / 3) * 16}" width="12" height="12" fill="${c}" stroke="#333" stroke-width="0.5"/>` +
    `<text x="${(i % 3) * 250 + 16}" y="${y + 14 + Math.floor(i / 3) * 16}" class="legend">${t}</text>`).join('');
  const height = y + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="picture" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="address space at the first failure">` +
    `<style>text{font:11px monospace;fill:#111}.rname{font-weight:bold}.vflags{fill:#222}.legend{fill:#333}</style>${body.join('')}${legend}</svg>`;
}

// `resident_map` as intervals: a region's resident pages arrive as [a, b) page
// intervals and stay that way. A 1 TiB region has 2^28 pages; one character (or
// array slot) a page would exhaust the heap, so comparing and rendering cost
// O(intervals + length of the written map), never O(pages) past MAP_TEXT_PAGES.

/** The longest map rendered one character a page; longer ones render as runs. */
export const MAP_TEXT_PAGES = 4096;
/** Runs listed when a long map is rendered as runs. */
const RUNS_SHOWN = 16;

export type Intervals = ReadonlyArray<readonly [number, number]>;

/** Intervals clipped to [0, pages), sorted, joined where they touch. */
export function clipRuns(intervals: Intervals, pages: number): Array<[number, number]> {
  const clipped = intervals
    .map(([a, b]) => [Math.max(0, a), Math.min(b, pages)] as [number, number])
    .filter(([a, b]) => a < b);
  let sorted = true;
  for (let i = 1; i < clipped.length; i++) if (clipped[i]![0] < clipped[i - 1]![0]) { sorted = false; break; }
  if (!sorted) clipped.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const r of clipped) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** One character a page over [0, pages): '#' resident, '.' not. Only for pages <= MAP_TEXT_PAGES. */
export function residentMap(intervals: Intervals, pages: number): string {
  if (pages > MAP_TEXT_PAGES) throw new RangeError(`residentMap of ${pages} pages (limit ${MAP_TEXT_PAGES})`);
  let out = '', at = 0;
  for (const [a, b] of clipRuns(intervals, pages)) { out += '.'.repeat(a - at) + '#'.repeat(b - a); at = b; }
  return out + '.'.repeat(pages - at);
}

/** The map as a report shows it: the string up to MAP_TEXT_PAGES pages, else its runs. */
export function renderResidentMap(intervals: Intervals, pages: number): string {
  if (pages <= MAP_TEXT_PAGES) return `"${residentMap(intervals, pages)}"`;
  const runs = clipRuns(intervals, pages);
  const resident = runs.reduce((s, [a, b]) => s + b - a, 0);
  const shown = runs.slice(0, RUNS_SHOWN).map(([a, b]) => (b - a === 1 ? `${a}` : `${a}-${b - 1}`));
  const more = runs.length > RUNS_SHOWN ? `, … ${runs.length - RUNS_SHOWN} more` : '';
  return `${pages} pages, ${resident} resident${runs.length ? ` at ${shown.join(', ')}${more}` : ''}`;
}

/** Whether the written map (one character a page) says exactly these intervals over [0, pages). */
export function mapMatches(intervals: Intervals, pages: number, text: string): boolean {
  if (text.length !== pages) return false;
  const runs = clipRuns(intervals, pages);
  let k = 0;
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '#') { i++; continue; }
    const a = i;
    while (i < text.length && text[i] === '#') i++;
    const r = runs[k++];
    if (!r || r[0] !== a || r[1] !== i) return false;
  }
  return k === runs.length;
}

// Values as humans read them: sizes in pages and kB, offsets in pages, symbolic names.
export const PAGE = 4096;

/** `16p (64 kB)`, `100 B`, `2M` → `512p (2 MB)`. */
export function formatBytes(n: number): string {
  if (n === 0) return '0';
  const human = n < 10 * 1024 * 1024 ? `${trim(n / 1024)} kB` : n < 10 * 1024 ** 3 ? `${trim(n / 1024 ** 2)} MB` : `${trim(n / 1024 ** 3)} GB`;
  if (n % PAGE === 0) return `${n / PAGE}p (${human})`;
  return n < 1024 ? `${n} B` : `${n} B (${human})`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** An offset as the language writes it: `0`, `4p`, `-1p`, `100`. */
export function formatOffset(n: number): string {
  if (n === 0) return '0';
  return n % PAGE === 0 ? `${n / PAGE}p` : String(n);
}

export function residentPages(intervals: ReadonlyArray<readonly [number, number]>): number {
  return intervals.reduce((s, [a, b]) => s + Math.max(0, b - a), 0);
}

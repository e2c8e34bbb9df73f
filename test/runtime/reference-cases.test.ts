// Every tricky case of the mlock reference (§11 of linux-mlock-semantics.md,
// 71 cases observed on 6.18) is stated by at least one scenario, which cites it
// in its `about` lines ("Case 35", "Cases 1-2"). Every scenario runs on the
// model in test/runtime/scenarios.test.ts and against the host in CI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '..', '..', 'scenarios');
const REFERENCE_CASES = 71;

function mlsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? mlsFiles(p) : f.endsWith('.mls') ? [p] : [];
  });
}

/** Case numbers an about line cites: "Case 7", "Cases 1-2", "cases 19, 20 and 22". */
function citedCases(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (!/^\s*about\b/.test(line)) continue;
    for (const m of line.matchAll(/\b[Cc]ases? ((?:\d+(?:\s*[-–]\s*\d+)?(?:,\s*|\s+and\s+)?)+)/g)) {
      for (const part of m[1]!.split(/,\s*|\s+and\s+/)) {
        const r = /(\d+)(?:\s*[-–]\s*(\d+))?/.exec(part);
        if (!r) continue;
        for (let i = Number(r[1]); i <= Number(r[2] ?? r[1]); i++) out.push(i);
      }
    }
  }
  return out;
}

t.test('the citation reader', async (t) => {
  t.same(citedCases('about "Cases 1-2 (reference §11): x"\nabout "Case 35"'), [1, 2, 35]);
  t.same(citedCases('about "cases 19, 20 and 22"'), [19, 20, 22]);
  t.same(citedCases('expect locked_vm == 0  # case 9'), [], 'only about lines count');
});

t.test(`each of the ${REFERENCE_CASES} reference cases is stated by a scenario`, async (t) => {
  const cited = new Set<number>();
  for (const f of mlsFiles(ROOT)) for (const c of citedCases(readFileSync(f, 'utf8'))) cited.add(c);
  const missing = Array.from({ length: REFERENCE_CASES }, (_, i) => i + 1).filter((c) => !cited.has(c));
  t.same(missing, [], 'cases without a scenario');
});

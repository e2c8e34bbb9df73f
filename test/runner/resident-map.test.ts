// resident_map over regions of any size (issue 14 finding 6): a 1 TiB region
// used to be rendered as new Array(2^28) and killed the run with a heap OOM.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanEnv, suite } from './helpers.js';
import { mapMatches, renderResidentMap, residentMap } from '../../runner/render/resident-map.js';

t.test('compare and render as runs, never one slot a page', async (t) => {
  const pages = 2 ** 28; // 1 TiB of 4 KiB pages
  t.equal(mapMatches([[5, 6]], pages, '#'), false, 'a short map against a long region: lengths differ');
  t.equal(renderResidentMap([[5, 6], [9, 12]], pages), '268435456 pages, 4 resident at 5, 9-11');
  const many = Array.from({ length: 40 }, (_, i) => [i * 3, i * 3 + 1] as [number, number]);
  t.match(renderResidentMap(many, pages), /, … 24 more$/, 'long run lists are cut');
  t.equal(renderResidentMap([[0, 2], [5, 6]], 7), '"##...#."', 'short maps stay one character a page');
  const text = '.'.repeat(4999) + '#'.repeat(3) + '.'.repeat(998);
  t.equal(mapMatches([[4999, 5002]], 6000, text), true);
  t.equal(mapMatches([[4999, 5001]], 6000, text), false);
  t.equal(mapMatches([[4999, 5002], [5003, 5004]], 6000, text), false, 'an extra resident run');
  t.equal(mapMatches([[5001, 5002], [4999, 5001]], 6000, text), true, 'unsorted touching intervals read as one run');
  t.equal(residentMap([[-2, 1], [6, 9]], 7), '#.....#', 'clipped to the region');
});

t.test('a 1 TiB region: the check fails with both sides shown, in a 96 MB heap, reports written', async (t) => {
  const dir = suite({
    'big.mls': `scenario "resident_map of a large region"
big = mmap 1T rw private anon noreserve
write big + 5p
expect big resident_map == "#"
`,
  });
  const r = spawnSync(process.execPath, ['--max-old-space-size=96', BIN, 'run', '--no-cache', '-j1', '--reporter', 'spec', '--reporter', `json=${join(dir, 'r.json')}`, 'big.mls'], {
    cwd: dir, env: cleanEnv({ NODE_OPTIONS: '--max-old-space-size=96' }), encoding: 'utf8', timeout: 120_000,
  });
  t.equal(r.status, 1, `a failed check, not a crash: ${r.stderr.slice(-400)}`);
  t.match(r.stdout, /268435456 pages, 1 resident at 5/);
  const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  t.ok(JSON.stringify(doc).includes('268435456 pages, 1 resident at 5'), 'the JSON report has the observed map');
});

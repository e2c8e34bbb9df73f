// The HTML report in a real browser: Debian's chromium driven by playwright-core
// (its own browser download does not work here). .ci/run installs chromium; a
// missing browser fails this test rather than skipping it.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { FAILING, PASSING, mls, suite } from './helpers.js';

const CHROMIUM = process.env['MLS_CHROMIUM'] ?? '/usr/bin/chromium';

const tagged = (name: string, tags: string) => PASSING(name).replace(/\n/, `\ntags ${tags}\n`);

t.test('html report: renders, draws failures as SVG, filters by outcome, tag and directory, no console errors, no network', async (t) => {
  t.ok(existsSync(CHROMIUM), `chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);
  const cwd = suite({
    'lock/pass.mls': tagged('plain lock', 'populate'),
    'lock/fail.mls': FAILING.replace(/\n/, '\ntags onfault\n'),
    'other/skip.mls': 'scenario "old kernels only"\nkernel < 4.0\np = mmap 1p rw private anon\nexpect locked_vm == 0\n',
    'other/broken.mls': 'scenario "broken"\nbuf = mmap 16q rw private anon # <b>bold</b>\n',
  });
  const run = mls(['run', '.', '--no-cache', '-r', 'html=out/report.html', '-r', 'json=out/r.json'], { cwd });
  t.equal(run.status, 2, run.stderr);
  const html = readFileSync(join(cwd, 'out', 'report.html'), 'utf8');
  t.notMatch(html, /(src|href)="(https?:)?\/\//, 'nothing loaded from the network');
  t.notMatch(html, /<b>/, 'source text is escaped');
  t.match(html, /&lt;b&gt;bold&lt;\/b&gt;/);

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(join(cwd, 'out', 'report.html')).href;
  await page.goto(url);
  t.match(await page.textContent('#summary'), /1 passed.*2 failed.*1 errors.*1 skipped.*4 results/);
  t.equal(await page.textContent('#shown'), '4 of 4 results shown');
  // The failure: its check, the source frame and the picture as SVG with VMAs and pages.
  const fail = page.locator('section[data-outcome=FAIL]');
  t.match(await fail.textContent(), /locked_vm == 8p.*expect locked_vm == 8p.*expected8p \(32 kB\).*actual4p \(16 kB\)/s);
  t.equal(await fail.locator('svg.picture g.vma[data-lock=locked]').count(), 1, 'the locked VMA');
  t.ok(await fail.locator('svg.picture g.vma[data-lock=unlocked]').count() >= 1, 'the unlocked rest');
  t.equal(await fail.locator('svg.picture rect.page[fill="#8b1e1e"]').count(), 4, 'four resident locked pages of buf');
  const box = await fail.locator('svg.picture').boundingBox();
  t.ok(box && box.width > 300 && box.height > 50, `the SVG is drawn (${JSON.stringify(box)})`);
  t.match(await page.locator('section[data-outcome=ERROR]').textContent(), /error: unknown size unit "q" \[mls\/bad-unit\].*16q rw private anon # <b>bold<\/b>/s);
  t.match(await page.locator('section[data-outcome=SKIP]').textContent(), /skipped: scenario needs kernel < 4\.0/);

  const visible = async () => page.locator('section.scenario:visible').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['outcome']));
  await page.uncheck('input[value=PASS]');
  await page.uncheck('input[value=SKIP]');
  t.same((await visible()).sort(), ['ERROR', 'FAIL'], 'outcome filter');
  t.equal(await page.textContent('#shown'), '2 of 4 results shown');
  await page.check('input[value=PASS]');
  await page.check('input[value=SKIP]');
  await page.selectOption('#tag', 'onfault');
  t.same(await visible(), ['FAIL'], 'tag filter');
  await page.selectOption('#tag', '');
  await page.selectOption('#dir', 'other');
  t.same((await visible()).sort(), ['ERROR', 'SKIP'], 'directory filter');
  if (process.env['MLS_HTML_SCREENSHOT']) await page.screenshot({ path: process.env['MLS_HTML_SCREENSHOT'], fullPage: true });
  t.same(errors, [], 'no console errors or warnings');
  t.same(requests, [url], 'the page fetched nothing but itself');

  // A matrix run: one column per profile.
  const matrix = mls(['run', 'lock/pass.mls', '--no-cache', '--kernel', 'linux-6.18,linux-4.3', '-r', 'html=out/matrix.html'], { cwd });
  t.equal(matrix.status, 0, matrix.stderr);
  await page.goto(pathToFileURL(join(cwd, 'out', 'matrix.html')).href);
  t.same(await page.locator('#matrix thead th').allTextContents(), ['scenario', 'linux-6.18', 'linux-4.3']);
  t.same(await page.locator('#matrix tbody td').allTextContents(), ['PASS', 'PASS']);
  t.same(errors, [], 'no console errors on the matrix page');
});

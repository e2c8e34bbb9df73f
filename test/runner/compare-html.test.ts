// `mls compare --html`: a column per profile, in Debian's chromium (see html-report.test.ts).
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { ROOT, mls, suite } from './helpers.js';

const CHROMIUM = process.env['MLS_CHROMIUM'] ?? '/usr/bin/chromium';

t.test('compare --html: a column per profile, filters, no console errors', async (t) => {
  t.ok(existsSync(CHROMIUM), `chromium at ${CHROMIUM}`);
  const cwd = suite({});
  const out = join(cwd, 'compare.html');
  const r = mls(['compare', 'linux-6.18', 'linux-4.4', join(ROOT, 'scenarios', 'history'), '--html', out, '--json'], { cwd });
  t.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  const differs = report.scenarios.filter((s: { status: string }) => s.status === 'differs');
  t.ok(differs.length > 0, 'some history scenario differs between the two profiles');
  t.match(readFileSync(out, 'utf8'), /<th>linux-6\.18<\/th><th>linux-4\.4<\/th>/);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(out).href);
  const first = differs[0].differences[0];
  const row = page.locator('section[data-outcome=differs] table.diffs tbody tr').first();
  const cells = await row.locator('td').allTextContents();
  t.equal(cells[2], first.path);
  t.equal(cells[3], typeof first.a === 'string' ? first.a : JSON.stringify(first.a), 'the first profile\'s value in its column');
  t.equal(cells[4], typeof first.b === 'string' ? first.b : JSON.stringify(first.b));
  await page.uncheck('input[value=same]');
  await page.uncheck('input[value=skipped]');
  const shown = await page.locator('section.scenario:visible').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['outcome']));
  t.same([...new Set(shown)], ['differs']);
  t.equal(await page.textContent('#shown'), `${differs.length} of ${report.scenarios.length} results shown`);
  await page.uncheck('input[value=differs]');
  t.equal(await page.locator('section[data-outcome=differs]:visible').count(), 0, 'unchecking differs hides them');
  // Still shown: what is neither same, skipped nor differs (e.g. a scenario that fails on both).
  const rest = report.scenarios.filter((s: { status: string }) => !['same', 'skipped', 'differs'].includes(s.status)).length;
  t.equal(await page.textContent('#shown'), `${rest} of ${report.scenarios.length} results shown`);
  t.same(errors, []);
});

// The README's usage tables are generated from the option table; keep them in sync.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { markdownUsage } from '../../runner/help.js';

t.test('README usage section equals markdownUsage()', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = /<!-- usage:begin[^>]*-->\n([\s\S]*?)\n<!-- usage:end -->/.exec(readme);
  t.ok(m, 'markers present');
  t.equal(m?.[1], markdownUsage(), 'regenerate with: node -e "import(\'./dist/runner/help.js\').then(m => console.log(m.markdownUsage()))"');
  t.match(readme, /```sh\nnpm install && npx mls run scenarios\nnpm test\n```/, 'the first two commands stay as they are');
});

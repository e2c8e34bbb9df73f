// The test suite cleans up after itself: fixture suites (mls-suite-*) are
// removed when the test process exits, however it exits (issue 14 finding 12).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const child = fileURLToPath(new URL('./fixtures/make-suite.ts', import.meta.url));

// One child (a TypeScript child costs ~10 s to boot under tap's loader): it ends by an uncaught error,
// the harder way out; a normal exit runs the same hook.
for (const how of ['throw']) {
  t.test(`a suite is gone after the process ends (${how})`, async (t) => {
    // The same node flags (tap's TypeScript loader) as this test process.
    const r = spawnSync(process.execPath, [...process.execArgv, child, how], { encoding: 'utf8', timeout: 60_000 });
    const dir = r.stdout.trim();
    t.match(dir, /mls-suite-/, `made ${dir} (${r.stderr.slice(0, 200)})`);
    t.equal(r.status, how === 'throw' ? 1 : 0);
    t.notOk(existsSync(dir), 'removed at exit');
  });
}

// How many threads `mls run` uses (runner/run-config.ts:threadsFor): an explicit
// -j N is kept whatever the run's size (isolation); without -j a run too small
// to pay for workers runs inline.
import t from 'tap';
import { threadsFor } from '../../runner/run-config.js';

t.test('an explicit -j N is kept, even for one scenario', async (t) => {
  t.equal(threadsFor({ jobs: 2, jobsGiven: true, target: 'model' }, 1), 2);
  t.equal(threadsFor({ jobs: 4, jobsGiven: true, target: 'host' }, 3), 4);
  t.equal(threadsFor({ jobs: 1, jobsGiven: true, target: 'model' }, 100_000), 1, '-j1 stays inline');
});

t.test('without -j: inline below 500 model / 20 host scenarios a worker, else up to the CPUs', async (t) => {
  t.equal(threadsFor({ jobs: 2, jobsGiven: false, target: 'model' }, 184), 1, 'the repository suite runs inline');
  t.equal(threadsFor({ jobs: 4, jobsGiven: false, target: 'model' }, 999), 1);
  t.equal(threadsFor({ jobs: 4, jobsGiven: false, target: 'model' }, 1000), 2);
  t.equal(threadsFor({ jobs: 2, jobsGiven: false, target: 'model' }, 100_000), 1, 'model on 2 CPUs: inline at any size');
  t.equal(threadsFor({ jobs: 8, jobsGiven: false, target: 'model' }, 1600), 3, 'no more workers than the work pays for');
  t.equal(threadsFor({ jobs: 2, jobsGiven: false, target: 'host' }, 39), 1);
  t.equal(threadsFor({ jobs: 2, jobsGiven: false, target: 'host' }, 40), 2);
  t.equal(threadsFor({ jobs: 1, jobsGiven: false, target: 'host' }, 400), 1, 'one CPU: inline');
});

t.test('end to end: the worker-crash hook (workers only) shows where scenarios ran', async (t) => {
  const { PASSING, mls, suite } = await import('./helpers.js');
  const dir = suite({ 'a.mls': PASSING('a'), 'b-crash.mls': PASSING('b') });
  const env = { MLS_TEST_WORKER_FAULT: 'crash:b-crash' };
  const auto = mls(['run', '-r', 'json', '--no-cache'], { cwd: dir, env });
  t.equal(auto.status, 0, 'no -j, two scenarios: inline, where the hook does not apply');
  const pooled = mls(['run', '-j2', '-r', 'json', '--no-cache'], { cwd: dir, env });
  t.equal(pooled.status, 1, '-j2: in workers');
  const doc = JSON.parse(pooled.stdout) as { files: Array<{ file: string; outcome: string; messages: Array<{ id: string }> }> };
  const crashed = doc.files.find((f) => f.file === 'b-crash.mls');
  t.equal(crashed?.outcome, 'ERROR');
  t.equal(crashed?.messages[0]?.id, 'run/worker-crash');
  t.equal(doc.files.find((f) => f.file === 'a.mls')?.outcome, 'PASS');
});

// Nothing outlives mls (issue 14 findings 4 and 5): a driver killed outright
// takes its supervisor and scenario processes with it (parent-death signal),
// and one Ctrl-C ends the running host scenario at once, reported as
// interrupted, with complete reports. The chaos test varies signals and timing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { executablePath } from '../../runner/targets/host.js';
import { mlsAsync, suite } from '../runner/helpers.js';
import { processesMentioning, settle, waitForProcess } from './run-processes.js';

/** Locks 32 MiB, then touches it for far longer than any test waits. */
const LONG = `scenario "long locked step"
p = mmap 32M rw private anon
mlock p 32M
access p 32M random 1000000000 seed 7 write
expect locked_vm == 32M
`;

function setup(): { dir: string; tmp: string } {
  const dir = suite({ 'long.mls': LONG });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  return { dir, tmp };
}

const exited = (c: ReturnType<typeof spawn>) => new Promise<number | null>((r) => c.on('close', (code) => r(code)));

/** Resolves once a scenario process of the run holds locked memory. */
async function lockedWorker(tmp: string): Promise<boolean> {
  const until = Date.now() + 20000;
  while (Date.now() < until) {
    if (processesMentioning(tmp).some((p) => / worker /.test(p.cmd) && p.vmLckKb > 0)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

t.test('a driver killed with SIGKILL leaves no process, no locked memory, no temp dir', async (t) => {
  const { dir, tmp } = setup();
  const child = mlsAsync(['run', '--target', 'host', '--timeout', '60000', 'long.mls'], { cwd: dir, env: { TMPDIR: tmp, NODE_OPTIONS: '' } });
  const done = exited(child);
  t.ok(await lockedWorker(tmp), 'the scenario locked its memory');
  child.kill('SIGKILL');
  await done;
  const left = await settle(tmp);
  t.same(left.procs, [], 'no process of the run survives');
  t.same(left.dirs, [], 'the session temp dir is removed');
});

t.test('one SIGINT ends the running host scenario at once and reports it as interrupted', async (t) => {
  const { dir, tmp } = setup();
  const child = mlsAsync(['run', '--target', 'host', '--timeout', '60000', '-r', 'json=r.json', '-r', 'junit=r.xml', 'long.mls'],
    { cwd: dir, env: { TMPDIR: tmp, NODE_OPTIONS: '' } });
  const done = exited(child);
  t.ok(await lockedWorker(tmp), 'the scenario locked its memory');
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await done;
  const took = Date.now() - t0;
  t.equal(code, 130);
  t.ok(took < 5000, `exited ${took} ms after the signal (the scenario's timeout is 60 s)`);
  const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  t.equal(doc.interrupted, true);
  t.equal(doc.files[0].outcome, 'ERROR');
  t.match(doc.files[0].messages.map((m: { id: string }) => m.id), ['run/interrupted']);
  // VmLck counts the whole VMA once VM_LOCKED is set, before mlock's populate ends: the signal may land in either step.
  t.match(doc.files[0].messages[0].text, /^interrupted at long\.mls:(3:1 \(mlock\)|4:1 \(access\)); the scenario's processes were killed/);
  t.match(readFileSync(join(dir, 'r.xml'), 'utf8'), /<\/testsuites>\s*$/, 'the JUnit report is complete');
  const left = await settle(tmp);
  t.same(left.procs, []);
  t.same(left.dirs, []);
});

t.test('a supervisor whose driver is already gone cleans up and exits', async (t) => {
  const { tmp } = setup();
  const session = join(tmp, 'mls-host-orphan');
  mkdirSync(session);
  // Its parent is this test, not pid 1: the getppid() check after PR_SET_PDEATHSIG says the driver died.
  // Its stdin stays open, so only that check can end it.
  const sup = spawn(executablePath(), ['supervise', session, '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const timer = setTimeout(() => sup.kill('SIGKILL'), 5000);
  const code = await exited(sup);
  clearTimeout(timer);
  t.equal(code, 0, 'it exited by itself');
  t.notOk(existsSync(session), 'the session dir is removed');
});

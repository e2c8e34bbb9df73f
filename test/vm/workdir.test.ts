// A SIGKILLed run leaves its /tmp/mls-vm-<pid>-* dir; the next run's makeWorkDir
// removes it (its owner is dead) and leaves the dirs of live runs alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeWorkDir, processAlive, sweepStaleWorkDirs } from '../../runner/targets/vm/workdir.js';

t.test('a dir whose owner was SIGKILLed is swept at the next start; a live owner keeps its dir', async (t) => {
  const parent = t.testdir();
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const pid = child.pid!;
  const dead = join(parent, `mls-vm-${pid}-abc123`);
  mkdirSync(dead);
  writeFileSync(join(dead, 'initrd.cpio'), 'x');
  const live = join(parent, `mls-vm-${process.pid === 1 ? 2 : 1}-def456`); // pid 1 (init) is always alive
  mkdirSync(live);
  const other = join(parent, 'mls-vm-notours');
  mkdirSync(other);
  t.ok(processAlive(pid));
  t.same(sweepStaleWorkDirs(parent), [], 'nothing is stale while the owner runs');
  await new Promise((resolve) => { child.on('exit', resolve); child.kill('SIGKILL'); });
  t.notOk(processAlive(pid));
  const mine = makeWorkDir(parent);
  t.notOk(existsSync(dead), 'the killed run\'s dir is gone');
  t.ok(existsSync(live), 'a live owner\'s dir stays');
  t.ok(existsSync(other), 'a dir not named by a pid is not touched');
  t.match(mine, new RegExp(`mls-vm-${process.pid}-[A-Za-z0-9]{6}$`));
  t.same(readdirSync(parent).sort(), [live, mine, other].map((p) => p.slice(parent.length + 1)).sort());
});

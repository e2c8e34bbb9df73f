// Chaos: host runs killed with SIGINT, SIGTERM or SIGHUP, once or twice, at
// seeded random points (while compiling, starting supervisors, mid-step,
// between scenarios), inline and with workers. After each: no process of the
// run exists, none holds locked memory, no temp dir remains, and every report
// file written is complete. MLS_CHAOS_SEED replays one sequence.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Parser } from 'tap-parser';
import { mlsAsync, suite } from '../runner/helpers.js';
import { settle, waitForProcess } from './run-processes.js';

const SEED = Number(process.env['MLS_CHAOS_SEED'] ?? 14);
const ROUNDS = 10;

/** mulberry32: a small seeded generator, enough to pick signals and delays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const FILES: Record<string, string> = {
  'a-quick.mls': 'scenario "quick"\np = mmap 8p rw private anon\nmlock p 2p\nexpect locked_vm == 2p\n',
  'b-long.mls': 'scenario "long"\np = mmap 16M rw private anon\nmlock p 16M\naccess p 16M random 1000000000 seed 3 write\n',
  // The long step runs in a fork child: its own process, reparented if main goes first.
  'c-fork.mls': 'scenario "fork"\np = mmap 8M rw private anon locked\nkid = fork\nin kid: mlock p 8M\n' +
    'in kid: access p 8M random 1000000000 seed 5 read\n',
  'd-quick.mls': 'scenario "quick two"\np = mmap 4p rw private anon\nwrite p 4p\nexpect p resident == 4p\n',
  'e-long.mls': 'scenario "long two"\np = mmap 8M rw private anon\nmlockall current\naccess p 8M random 1000000000 seed 9 write\n',
};

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const CODE: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Every report file that exists parses whole. */
function checkReports(t: Tap.Test, dir: string): void {
  const json = join(dir, 'r.json');
  if (existsSync(json)) t.doesNotThrow(() => JSON.parse(readFileSync(json, 'utf8')), 'the JSON report parses');
  const xml = join(dir, 'r.xml');
  if (existsSync(xml)) t.match(readFileSync(xml, 'utf8'), /^<\?xml[\s\S]*(<\/testsuites>|<testsuites [^>]*\/>)\s*$/, 'the JUnit report is whole');
  const tap = join(dir, 'r.tap');
  if (existsSync(tap)) {
    const p = new Parser();
    let ok: boolean | undefined;
    p.on('complete', (r: { ok: boolean; plan: { end: number }; count: number }) => { ok = r.plan.end === r.count; });
    p.end(readFileSync(tap, 'utf8'));
    t.equal(ok, true, 'the TAP report has its whole plan');
  }
}

const rand = random(SEED);
for (let round = 0; round < ROUNDS; round++) {
  const sig = SIGNALS[Math.floor(rand() * SIGNALS.length)]!;
  const twice = rand() < 0.4;
  // Early: while mls loads and compiles (it may not handle signals yet); else after its first
  // supervisor started: mid-step, between scenarios, or while reports are written.
  const early = rand() < 0.3;
  const delay = Math.floor(early ? 50 + rand() * 1500 : rand() * 1500);
  const again = Math.floor(rand() * 400);
  const jobs = rand() < 0.5 ? '1' : '2';
  const when = `${delay} ms after ${early ? 'the start' : 'the first supervisor'}`;
  t.test(`seed ${SEED} round ${round}: ${sig}${twice ? ` twice (+${again} ms)` : ''} ${when}, -j${jobs}`, async (t) => {
    const dir = suite(FILES);
    // NODE_OPTIONS cleared: tap's process-info loader would load into mls and each of its worker threads.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = mlsAsync(['run', '--target', 'host', '-j', jobs, '--timeout', '60000',
      '-r', 'json=r.json', '-r', 'junit=r.xml', '-r', 'tap=r.tap'], { cwd: dir, env: { TMPDIR: tmp, NODE_OPTIONS: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
    if (!early) t.ok(await waitForProcess(tmp, / supervise /), 'a supervisor started');
    await new Promise((r) => setTimeout(r, delay));
    child.kill(sig);
    if (twice) { await new Promise((r) => setTimeout(r, again)); child.kill(sig); }
    const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
    const { code, signal } = await exited;
    clearTimeout(killer);
    t.not(signal, 'SIGKILL', `ended by itself (stderr: ${stderr.slice(-300)})`);
    // The signal's own exit code; killed by it (it came before mls installed its handlers, while
    // loading); or exits it did not cause: every scenario was done already (1: some failed, 0: none).
    t.ok(code === CODE[sig] || signal === sig || code === 0 || code === 1, `exit ${code ?? signal}`);
    const left = await settle(tmp);
    t.same(left.procs, [], 'no process of the run is left');
    t.same(left.procs.filter((p) => p.vmLckKb > 0), [], 'none holds locked memory');
    t.same(left.dirs, [], 'no temp dir is left');
    checkReports(t, dir);
    if (!twice && code === CODE[sig]) {
      t.ok(existsSync(join(dir, 'r.json')), 'one signal: the reports are written');
    }
  });
}

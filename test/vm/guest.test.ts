// --target vm end to end, on Debian's 6.12 cloud kernel when scripts/fetch-kernels.sh has
// cached it (CI fetches it first): scenarios run in the guest, the facts and release are the
// guest's, and no qemu outlives a timeout, a Ctrl-C or a driver killed outright.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createVmTarget } from '../../runner/targets/vm.js';
import { vmConfig } from '../../runner/targets/vm/config.js';
import { compileSource } from '../../grammar/compile.js';
import { mls, mlsAsync, suite } from '../runner/helpers.js';
import { processesMentioning, settle } from '../host/run-processes.js';

const cache = process.env['MLS_KERNEL_CACHE'] ?? join(homedir(), '.cache/mls/kernels');
const boot = join(cache, 'linux-6.12', 'boot');
const image = existsSync(boot) ? readdirSync(boot).filter((f) => f.startsWith('vmlinuz-')).map((f) => join(boot, f))[0] : undefined;
let qemuOk = true;
try { vmConfig({ kernelImage: image ?? '/' }, '/'); } catch { qemuOk = false; }
const skip = !image ? `no 6.12 kernel in ${cache} (run scripts/fetch-kernels.sh)`
  : !qemuOk ? 'qemu-system-x86_64 is not installed (scripts/fetch-kernels.sh installs it)'
    : !existsSync(join(import.meta.dirname, '../../native/build/mls-init')) ? 'the guest init is not built (node native/build.mjs)' : false;

const LOCK = `scenario "lock in the guest"
p = mmap 4p rw private anon
mlock p 4p
expect locked_vm == 4p, p rss == 4p, p flags has lo
munlock p 4p
expect locked_vm == 0
`;
const LONG = `scenario "long step"
p = mmap 32M rw private anon
access p 32M random 1000000000 seed 7 write
`;

const exited = (c: ReturnType<typeof mlsAsync>) => new Promise<number | null>((r) => c.on('close', (code) => r(code)));
const qemusIn = (tmp: string) => processesMentioning(tmp).filter((p) => /qemu-system/.test(p.cmd));

t.test('scenarios run in the guest, whose facts and release replace the host\'s', { skip }, async (t) => {
  const target = createVmTarget(vmConfig({ kernelImage: image! }, '/'));
  const s = target.openSession!();
  try {
    const { scenario } = compileSource(LOCK, 'lock.mls');
    const log = await s.run(scenario!, { kernel: 'linux-6.12', trace: true, timeoutMs: 30000 });
    t.equal(log.outcome, 'completed', log.message ?? '');
    t.equal(log.target, 'vm');
    t.match(log.kernel, /^6\.12\.\d+\+deb12-cloud-amd64$/, 'the release is the guest\'s, not the host\'s');
    const f = log.image?.facts;
    t.equal(f?.softDirty, true, 'Debian\'s CONFIG_MEM_SOFT_DIRTY: VmFlags carry sd');
    t.equal(f?.thp?.enabled, 'madvise', 'the guest init sets THP to madvise (Debian boots with always)');
    t.equal(log.image?.filesFs, 'tmpfs', 'scenario files live on the guest\'s tmpfs');
    t.equal(log.image?.capBnd, '000001fffeffffff', 'CAP_SYS_RESOURCE dropped as on the test machine');
    const second = await s.run(scenario!, { kernel: 'linux-6.12', trace: false, timeoutMs: 30000 });
    t.equal(second.outcome, 'completed', 'a second scenario runs in the same guest');
  } finally {
    await s.close();
  }
});

t.test('a timed-out scenario ends with its guest, the next one gets a new guest, nothing is left', { skip }, async (t) => {
  const dir = suite({ 'a-long.mls': LONG, 'b-lock.mls': LOCK });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const r = mls(['run', '--target', 'vm', '--kernel-image', image!, '--timeout', '3000', '-r', 'json=r.json', '.'], { cwd: dir, env: { TMPDIR: tmp } });
  const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { files: Array<{ file: string; outcome: string; messages: Array<{ id: string }> }> };
  const by = new Map(doc.files.map((x) => [x.file, x]));
  t.equal(by.get('a-long.mls')?.outcome, 'ERROR', r.stdout);
  t.equal(by.get('a-long.mls')?.messages[0]?.id, 'run/timeout');
  t.equal(by.get('b-lock.mls')?.outcome, 'PASS', 'the next scenario ran in a fresh guest');
  t.same((await settle(tmp)).procs, [], 'no qemu left');
  t.same(readdirSync(tmp), [], 'the guest\'s work dir (initrd, console log) is removed');
});

for (const sig of ['SIGINT', 'SIGKILL'] as const) {
  t.test(`${sig} to the driver leaves no qemu`, { skip }, async (t) => {
    const dir = suite({ 'long.mls': LONG });
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = mlsAsync(['run', '--target', 'vm', '--kernel-image', image!, '--timeout', '120000', 'long.mls'], { cwd: dir, env: { TMPDIR: tmp } });
    const done = exited(child);
    const until = Date.now() + 60000;
    while (qemusIn(tmp).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    t.ok(qemusIn(tmp).length > 0, 'the guest started');
    await new Promise((r) => setTimeout(r, 1500));
    child.kill(sig);
    await done;
    t.same((await settle(tmp, 10000)).procs, [], 'no qemu left');
    // A driver killed outright cannot remove the guest's work dir (its qemu dies by the guard's parent-death signal).
    if (sig === 'SIGINT') t.same(readdirSync(tmp), [], 'the guest\'s work dir is removed');
  });
}

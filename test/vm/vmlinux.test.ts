// runner/targets/vm/vmlinux.ts: the PVH vmlinux inside a bzImage, extracted once and cached;
// anything it cannot use boots as given. On Debian's cloud kernels when they are cached.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { bzImagePayload, hasPvhNote, pvhKernel } from '../../runner/targets/vm/vmlinux.js';

const cache = process.env['MLS_KERNEL_CACHE'] ?? join(homedir(), '.cache/mls/kernels');
function image(profile: string): string | undefined {
  const boot = join(cache, profile, 'boot');
  return existsSync(boot) ? readdirSync(boot).filter((f) => f.startsWith('vmlinuz-')).map((f) => join(boot, f))[0] : undefined;
}
const hasTool = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

t.test('what is not a bzImage boots as given', async (t) => {
  const dir = t.testdir({ 'junk': 'not a kernel', 'elf': Buffer.from('\x7fELF\x02\x01\x01', 'latin1') });
  const c = join(dir, 'cache');
  t.equal(pvhKernel(join(dir, 'junk'), c), join(dir, 'junk'));
  t.equal(pvhKernel(join(dir, 'elf'), c), join(dir, 'elf'));
  t.equal(pvhKernel(join(dir, 'missing'), c), join(dir, 'missing'));
  t.equal(bzImagePayload(Buffer.alloc(0x300)), undefined);
  t.equal(hasPvhNote(Buffer.from('not an elf')), false);
});

for (const [profile, tool] of [['linux-6.1', 'lz4'], ['linux-6.12', 'zstd']] as const) {
  const img = image(profile);
  t.test(`${profile}: the extracted vmlinux has the PVH note, its size is the payload's, and it is cached`, {
    skip: !img ? `no ${profile} kernel in ${cache} (run scripts/fetch-kernels.sh)` : !hasTool(tool) ? `no ${tool} on PATH` : false,
  }, async (t) => {
    const c = t.testdir();
    const payload = bzImagePayload(readFileSync(img!))!;
    t.ok(payload, 'the setup header locates the payload');
    const out = pvhKernel(img!, c);
    t.not(out, img, 'a vmlinux was extracted');
    t.equal(statSync(out).size, payload.readUInt32LE(payload.length - 4), 'its size is the one the payload ends with');
    t.ok(hasPvhNote(readFileSync(out)));
    writeFileSync(out, 'the cached copy is used');
    t.equal(pvhKernel(img!, c), out);
    t.equal(readFileSync(out, 'utf8'), 'the cached copy is used');
  });
}

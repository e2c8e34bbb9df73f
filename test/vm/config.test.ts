// The vm options: runner/targets/vm/config.ts (paths, modules, memory) and how
// the commands refuse them (usage errors, exit 2, no stack trace).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { modulesBesideImage, virtioModules, vmConfig } from '../../runner/targets/vm/config.js';
import { mls, suite } from '../runner/helpers.js';

/** A fake dpkg-deb tree: boot/vmlinuz-<rel>, lib/modules/<rel>/…, and a fake qemu. */
function tree(modules: string[]): { root: string; image: string; qemu: string } {
  const root = t.testdir();
  mkdirSync(join(root, 'boot'));
  const image = join(root, 'boot', 'vmlinuz-6.1.0-9-cloud-amd64');
  writeFileSync(image, 'kernel');
  const mods = join(root, 'lib/modules/6.1.0-9-cloud-amd64/kernel/drivers');
  mkdirSync(mods, { recursive: true });
  for (const m of modules) writeFileSync(join(mods, m), 'ko');
  const qemu = join(root, 'qemu');
  writeFileSync(qemu, '#!/bin/sh\n');
  chmodSync(qemu, 0o755);
  return { root, image, qemu };
}

t.test('modules beside a dpkg-deb image are found and loaded in dependency order; built-in ones are absent', async (t) => {
  const { root, image, qemu } = tree(['virtio_console.ko', 'virtio.ko', 'virtio_pci.ko', 'virtio_ring.ko', 'virtio_net.ko']);
  t.equal(modulesBesideImage(image), join(root, 'lib/modules/6.1.0-9-cloud-amd64'));
  const c = vmConfig({ kernelImage: image, qemu }, '/');
  t.equal(c.memoryMiB, 512);
  t.same(virtioModules(c.modulesDir).map((p) => p.split('/').pop()), ['virtio_ring.ko', 'virtio.ko', 'virtio_pci.ko', 'virtio_console.ko']);
});

t.test('bad vm options are refused with the reason', async (t) => {
  const { image, qemu } = tree(['virtio_console.ko.xz']);
  t.throws(() => vmConfig({}, '/'), /--target vm needs --kernel-image/);
  t.throws(() => vmConfig({ kernelImage: '/nonexistent/bzImage', qemu }, '/'), /no such file/);
  t.throws(() => vmConfig({ kernelImage: image, qemu, vmMemory: '64' }, '/'), /--vm-memory needs MiB/);
  t.throws(() => vmConfig({ kernelImage: image, qemu, vmMemory: 'lots' }, '/'), /--vm-memory/);
  t.throws(() => vmConfig({ kernelImage: image, qemu: '/nonexistent/qemu' }, '/'), /--qemu: no such file/);
  t.throws(() => vmConfig({ kernelImage: image, qemu }, '/'), /compressed/, 'a compressed virtio module cannot be loaded by the guest');
  t.throws(() => vmConfig({ kernelImage: image, qemu, kernelModules: '/nonexistent' }, '/'), /--kernel-modules: no such directory/);
});

t.test('the commands report vm option mistakes as usage errors', async (t) => {
  const dir = suite({ 'a.mls': 'scenario "a"\np = mmap 1p rw private anon\n' });
  const cases: Array<[string[], RegExp]> = [
    [['run', '--target', 'vm', 'a.mls'], /--target vm needs --kernel-image/],
    [['run', '--kernel-image', 'bzImage', 'a.mls'], /--kernel-image is for --target vm/],
    [['run', '--target', 'vm', '--kernel-image', 'nope', 'a.mls'], /--kernel-image: no such file/],
    [['diff', '--target', 'model', 'a.mls'], /--target must be host or vm here/],
    [['diff', '--vm-memory', '256', 'a.mls'], /--vm-memory is for --target vm/],
    [['run', '--target', 'vm', '--kernel-image', 'a.mls', '-k', 'linux-6.1,linux-6.12', 'a.mls'], /at most one --kernel/],
  ];
  for (const [args, msg] of cases) {
    const r = mls(args, { cwd: dir });
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, msg, args.join(' '));
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

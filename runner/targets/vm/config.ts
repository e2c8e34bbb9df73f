// What a `--target vm` run boots: the kernel image, its virtio modules when they
// are modules, the qemu binary and the guest's memory. Resolved once, in the
// driver, before any worker starts (it travels with every FileJob).
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, join, resolve } from 'node:path';

export interface VmConfig {
  /** bzImage, vmlinuz or vmlinux (PVH): anything qemu's -kernel boots. */
  kernelImage: string;
  /** The kernel's modules tree (…/lib/modules/<release>): the virtio ones are loaded when they are modules. */
  modulesDir?: string;
  /** qemu-system-x86_64 (absolute). */
  qemu: string;
  /** Guest memory in MiB. */
  memoryMiB: number;
}

export const DEFAULT_VM_MEMORY_MIB = 512;

/**
 * How long a guest may take to send its facts (3 s idle under TCG; 14 s seen with both cores
 * busy). Run watchdogs add it to a vm scenario's budget: its guest may boot inside it.
 */
export const BOOT_LIMIT_MS = 120_000;

/**
 * What the guest's /init loads, in this order, when the kernel has them as modules (Debian's
 * 6.1-cloud: CONFIG_VIRTIO_PCI=m, CONFIG_VIRTIO_CONSOLE=m): the virtio-serial port the
 * executor's stream goes through. Kernels that build them in (6.12-cloud) need none.
 */
export const VIRTIO_MODULES = ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'virtio_console'];

/** A problem with the vm options: shown as a usage error. */
export class VmConfigError extends Error {}

/** An executable on PATH (qemu's default), or undefined. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

/** `<root>/boot/vmlinuz-<release>` as `dpkg-deb -x` leaves it: `<root>/lib/modules/<release>`, when it exists. */
export function modulesBesideImage(image: string): string | undefined {
  const m = /^(?:vmlinuz|vmlinux|bzImage)-(.+)$/.exec(basename(image));
  if (!m) return undefined;
  const dir = join(dirname(dirname(image)), 'lib', 'modules', m[1]!);
  return existsSync(dir) ? dir : undefined;
}

/** Every `name.ko*` file under `dir`, by module name (`-` and `_` are the same in module names). */
export function moduleFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(d, e.name));
      else {
        const m = /^(.+)\.ko(\.(xz|zst|gz))?$/.exec(e.name);
        if (m) out.set(m[1]!.replace(/-/g, '_'), join(d, e.name));
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The virtio modules to load, in order, from `dir`; the ones absent are built in (or missing:
 * the guest's /init then says it has no port). Compressed ones are refused: the guest's
 * /init hands files to finit_module as they are, and 6.1 cannot decompress them itself.
 */
export function virtioModules(dir: string | undefined): string[] {
  if (!dir) return [];
  const files = moduleFiles(dir);
  const out: string[] = [];
  for (const name of VIRTIO_MODULES) {
    const f = files.get(name);
    if (!f) continue;
    if (!f.endsWith('.ko')) throw new VmConfigError(`--kernel-modules: ${f} is compressed; decompress it (xz -d / zstd -d) or build the virtio console in (CONFIG_VIRTIO_CONSOLE=y)`);
    out.push(f);
  }
  return out;
}

export interface VmOptionText {
  kernelImage?: string | undefined;
  kernelModules?: string | undefined;
  qemu?: string | undefined;
  vmMemory?: string | undefined;
}

/** The options as given (relative to `cwd`), checked; throws VmConfigError with the reason. */
export function vmConfig(o: VmOptionText, cwd: string): VmConfig {
  if (!o.kernelImage) throw new VmConfigError('--target vm needs --kernel-image <bzImage|vmlinuz|vmlinux> (scripts/fetch-kernels.sh fetches Debian\'s 6.1 and 6.12)');
  const kernelImage = resolve(cwd, o.kernelImage);
  if (!existsSync(kernelImage) || !statSync(kernelImage).isFile()) throw new VmConfigError(`--kernel-image: no such file ${kernelImage}`);
  let modulesDir: string | undefined;
  if (o.kernelModules !== undefined) {
    modulesDir = resolve(cwd, o.kernelModules);
    if (!existsSync(modulesDir) || !statSync(modulesDir).isDirectory()) throw new VmConfigError(`--kernel-modules: no such directory ${modulesDir}`);
  } else modulesDir = modulesBesideImage(kernelImage);
  const qemu = o.qemu !== undefined ? resolve(cwd, o.qemu) : onPath('qemu-system-x86_64');
  if (!qemu) throw new VmConfigError('--target vm: qemu-system-x86_64 is not on PATH (apt-get install --no-install-recommends qemu-system-x86, or give --qemu <path>)');
  if (o.qemu !== undefined && !existsSync(qemu)) throw new VmConfigError(`--qemu: no such file ${qemu}`);
  let memoryMiB = DEFAULT_VM_MEMORY_MIB;
  if (o.vmMemory !== undefined) {
    memoryMiB = Number(o.vmMemory);
    if (!Number.isInteger(memoryMiB) || memoryMiB < 128 || memoryMiB > 16384) throw new VmConfigError(`--vm-memory needs MiB between 128 and 16384, got '${o.vmMemory}'`);
  }
  virtioModules(modulesDir); // refuse compressed modules now, not in every worker
  return { kernelImage, ...(modulesDir ? { modulesDir } : {}), qemu, memoryMiB };
}

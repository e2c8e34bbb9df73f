// A vm guest as the machine of a HostSession (runner/targets/host/session.ts):
// qemu boots the kernel image with an initramfs holding the executor; the
// executor's byte stream runs over virtio-serial (qemu's stdin/stdout), the
// guest's console goes to a log file. Process ids the guest reports are the
// guest's: nothing here ever signals them. A scenario that must end early
// (timeout, Ctrl-C) ends with its guest: qemu is killed and the next scenario
// boots a new one. qemu runs under `mls-exec guard`, which gives it a
// parent-death SIGKILL, so it cannot outlive the driver however that ends.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartImage } from '../../../schema/generated/types.js';
import type { HostFacts } from '../host/requirements.js';
import type { SessionMachine } from '../host/session.js';
import { Supervisor, type Reply } from '../host/supervisor.js';
import type { VmConfig } from './config.js';
import { BOOT_LIMIT_MS, virtioModules } from './config.js';
import { parseGuestFacts, type GuestFacts } from './guest-facts.js';
import { initramfs } from './initramfs.js';
import { pvhKernel } from './vmlinux.js';
import { makeWorkDir } from './workdir.js';

/** The scenario dirs' parent inside the guest (a tmpfs its /init mounts). */
export const GUEST_DIR = '/tmp/mls';

/**
 * Kernel command line: the console to the log file, no boot chatter, no reboot on panic, and no
 * crypto self-tests (cryptomgr.notests: under TCG they cost ~0.45 s (6.1) / ~0.7 s (6.12) of
 * a boot, medians of 5, issue 15, 2026-12-06; not an mm-relevant parameter, MM_BOOT_PARAMS). acpi=off would save ~0.6 s more
 * but leaves the TSC calibration without its HPET reference: under load 6 of 10 guests marked
 * the TSC unstable and ran on jiffies (4 ms clocks), so ACPI stays on.
 */
export const KERNEL_APPEND = 'console=ttyS0 quiet panic=-1 cryptomgr.notests';

/**
 * qemu's arguments for one guest (TCG when there is no /dev/kvm: -machine pc boots fastest,
 * qemu-vm-notes.md). Under TCG the CPU is qemu's default model: no PKU and 4-level paging, as
 * on the test machine (`-cpu max` would give pkeys and LA57, which move what scenarios see).
 */
export function qemuArgs(c: VmConfig, initrd: string, consoleLog: string, kvm: boolean, kernel = c.kernelImage): string[] {
  return [
    '-machine', kvm ? 'pc,accel=kvm' : 'pc', ...(kvm ? ['-cpu', 'host'] : []), '-m', String(c.memoryMiB),
    '-nodefaults', '-no-user-config', '-display', 'none', '-nic', 'none', '-no-reboot',
    '-kernel', kernel, '-initrd', initrd, '-append', KERNEL_APPEND,
    '-serial', `file:${consoleLog}`,
    '-chardev', 'stdio,id=mls,signal=off', '-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=mls,name=mls',
  ];
}

export interface VmMachineOptions {
  config: VmConfig;
  executor: string;
  init: string;
  /** Whether /dev/kvm can be used (default: whether it opens). */
  kvm?: boolean;
}

function kvmUsable(): boolean {
  try { closeSync(openSync('/dev/kvm', 'r+')); return true; } catch { return false; }
}

export class VmMachine implements SessionMachine {
  readonly target = 'vm' as const;
  private work: string | undefined;
  /** What -kernel boots: the image's PVH vmlinux when it has one (vmlinux.ts). */
  private kernel: string | undefined;
  private guest: GuestFacts | undefined;
  /** A guest booted by boot() and not yet handed to the session. */
  private booted: Supervisor | undefined;
  private readonly kvm: boolean;
  /** Guests started, and how long the first took to send its facts (ms). */
  boots = 0;
  firstBootMs = 0;

  constructor(private readonly o: VmMachineOptions) {
    this.kvm = o.kvm ?? kvmUsable();
  }

  /** Boots the first guest and waits for its facts; rejects with the console's tail when it sends none. */
  async boot(): Promise<void> {
    if (this.guest) return;
    const started = performance.now();
    const sup = this.launch();
    const facts = await new Promise<Reply | undefined>((resolve) => {
      this.onPreamble = resolve;
      void sup.exited.then(() => resolve(undefined));
    });
    if (!facts) throw new Error(`the guest ended before it was ready (or took over ${BOOT_LIMIT_MS / 1000} s): ${this.consoleTail() || sup.stderr.trim() || 'no console output'}`);
    this.guest = parseGuestFacts(facts);
    this.firstBootMs = performance.now() - started;
    this.booted = sup;
  }

  private onPreamble: ((r: Reply) => void) | undefined;

  /** Per guest: resolved when it sent its facts (its supervisor is up) or ended. */
  private readonly up = new WeakMap<Supervisor, Promise<void>>();

  ready(sup: Supervisor): Promise<void> {
    return this.up.get(sup) ?? Promise.resolve();
  }

  /** A new qemu; its first reply (the guest's facts) goes to onPreamble. */
  private launch(): Supervisor {
    if (!this.work) {
      this.work = makeWorkDir(); // sweeps dirs left by a SIGKILLed run
      writeFileSync(join(this.work, 'initrd.cpio'), initramfs({ init: this.o.init, executor: this.o.executor, modules: virtioModules(this.o.config.modulesDir) }));
      this.kernel = pvhKernel(this.o.config.kernelImage);
    }
    this.boots++;
    const args = qemuArgs(this.o.config, join(this.work, 'initrd.cpio'), join(this.work, 'console.log'), this.kvm, this.kernel);
    const child = spawn(this.o.executor, ['guard', String(process.pid), this.o.config.qemu, ...args], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let up!: () => void;
    const sup = new Supervisor(child, (r) => { const f = this.onPreamble; this.onPreamble = undefined; f?.(r); up(); });
    this.up.set(sup, new Promise<void>((resolve) => { up = resolve; void sup.exited.then(resolve); }));
    // A guest that never comes up (a kernel that hangs, a machine far too loaded) is ended.
    const limit = setTimeout(() => this.killSupervisor(sup), BOOT_LIMIT_MS);
    limit.unref();
    void this.up.get(sup)!.then(() => clearTimeout(limit));
    return sup;
  }

  /** The last lines of the guest's console (why a boot failed). */
  consoleTail(): string {
    try {
      return readFileSync(join(this.work!, 'console.log'), 'latin1').split('\n').filter(Boolean).slice(-8).join('\n');
    } catch {
      return '';
    }
  }

  facts(): HostFacts {
    if (!this.guest) throw new Error('the vm target has not booted its guest yet');
    return this.guest.facts;
  }

  startSupervisor(): Supervisor {
    const sup = this.booted;
    this.booted = undefined;
    return sup?.alive ? sup : this.launch(); // a later guest's facts are the first's: same kernel, same init
  }

  dir(): string {
    return GUEST_DIR;
  }

  /** Guest pids mean nothing here: the scenario ends with its guest (the session boots the next). */
  killScenario(_group: number, sup: Supervisor): void {
    this.killSupervisor(sup);
  }

  killSupervisor(sup: Supervisor): void {
    sup.child.kill('SIGKILL'); // qemu itself (exec'd by the guard): no process group is signalled
  }

  /** A guest holds nothing worth a clean shutdown. */
  closeSupervisor(sup: Supervisor): void {
    this.killSupervisor(sup);
  }

  imageFacts(): Partial<StartImage> {
    const g = this.guest!;
    return { ...(g.capBnd ? { capBnd: g.capBnd } : {}), ...g.facts.files, ...(g.facts.machine ? { facts: g.facts.machine } : {}) };
  }

  cleanup(): void {
    if (this.booted) this.killSupervisor(this.booted);
    this.booted = undefined;
    if (this.work) rmSync(this.work, { recursive: true, force: true });
    this.work = undefined;
  }
}

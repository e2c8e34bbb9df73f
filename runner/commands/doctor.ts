// `mls doctor [--json]`: the facts of this host that change what scenarios
// observe, against the stock machine the model defaults to. Gathers them
// (executor probes, procfs/sysfs, the temp dir's filesystem) and prints the
// pure rendering (render/doctor.ts). Needs no scenarios and no compile cache;
// always exits 0: a difference is information, not a failure.
import { readFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { colorEnabled, makeStyle } from '../render/style.js';
import { doctorJson, renderDoctor, type DoctorInput } from '../render/doctor.js';
import { executablePath } from '../targets/host.js';
import { backingDevOf, filesFsOf } from '../targets/host/backing-dev.js';
import { machineFacts, runFactsProbe } from '../targets/host/facts.js';
import { hostFacts } from '../targets/host/requirements.js';
import { colorFlag } from './run.js';
import type { Command } from './types.js';

function gather(): DoctorInput {
  const exe = executablePath();
  const f = hostFacts(exe); // features, uid, CAP_IPC_LOCK, and machineFacts() as `machine`
  let capBnd: string | undefined;
  try {
    capBnd = /^CapBnd:\s*([0-9a-f]{16})$/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1];
  } catch { /* not Linux */ }
  const dir = tmpdir();
  const machine = f.machine ?? machineFacts(exe);
  let machineError: string | undefined;
  if (!machine) {
    const out = runFactsProbe(exe);
    machineError = typeof out === 'string' ? 'mls-exec facts gave no answer' : out.message.split('\n')[0];
  }
  return {
    release: release(), machine, machineError, uid: f.uid, capBnd, capIpcLockPermitted: f.capIpcLockPermitted, features: f.features,
    tempDir: { path: dir, filesFs: filesFsOf(dir), readAheadKb: backingDevOf(dir)?.readAheadKb },
  };
}

export const doctor: Command = async (ctx) => {
  const { io } = ctx;
  if (ctx.positionals.length) {
    io.stderr.write('mls doctor: takes no paths (it describes this host)\n');
    return 2;
  }
  const input = gather();
  if (ctx.options['json']) io.stdout.write(JSON.stringify(doctorJson(input), null, 2) + '\n');
  else io.stdout.write(renderDoctor(input, makeStyle(colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, flag: colorFlag(ctx) }))));
  return 0;
};

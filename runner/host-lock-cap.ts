// `--host-lock-cap <size>` / MLS_HOST_LOCK_CAP: the host safety cap
// (runner/targets/host/lock-cap.ts), raised or lowered by the user. The flag
// wins over the variable; neither: the default (256 MiB).
import { UsageError, stringOption } from './args.js';
import type { OptionValue } from './commands/types.js';

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** `268435456`, `512M`, `2G`, `1GiB`, `64k` → bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The cap in bytes the user asked for, or undefined for the default. */
export function hostLockCapOption(options: Record<string, OptionValue>, env: NodeJS.ProcessEnv): number | undefined {
  const flag = stringOption(options, 'host-lock-cap');
  const [text, from] = flag !== undefined ? [flag, '--host-lock-cap'] : [env['MLS_HOST_LOCK_CAP'], 'MLS_HOST_LOCK_CAP'];
  if (text === undefined || text === '') return undefined;
  const bytes = parseSize(text);
  if (bytes === undefined) throw new UsageError(`${from} must be a size in bytes (512M, 2G, 268435456), got '${text}'`);
  return bytes;
}

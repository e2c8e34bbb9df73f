// The machine a model run simulates: its settings (runner/machine/settings.ts)
// applied to a System and to the start image's filesystem fields. The image is
// where the filesystem lives because exec reloads it (runtime/exec.ts).
import type { StartImage } from '../../../schema/generated/types.js';
import type { System } from '../../../runtime/index.js';
import type { SettingValues } from '../../machine/settings.js';

/** runtime/settings.ts MachineSettings and System.thp from the language's values. */
export function applySettings(system: System, v: SettingValues): void {
  system.settings.zeroPage = v.zero_page === 'on';
  system.settings.hugeZeroPage = v.huge_zero_page === 'on';
  system.settings.pkeys = v.pkeys === 'on';
  system.settings.softDirty = v.soft_dirty === 'on';
  system.thp = v.thp as System['thp'];
  // loadImage sets it again from the (derived) image; this covers `image empty`.
  system.tmpIsTmpfs = v.files === 'tmpfs';
}

const derived = new WeakMap<StartImage, Map<string, StartImage>>();

/**
 * The image with the filesystem the settings say (tmpfs: no readahead, noop bdi;
 * disk: read_ahead_kb as given). The same object when it already says so, and one
 * derived copy per base and value otherwise (images are parsed once per identity).
 */
export function imageWithFilesystem(base: StartImage, v: SettingValues): StartImage {
  const tmpfs = v.files === 'tmpfs';
  const ra = Number(v.read_ahead_kb);
  if ((base.filesFs === 'tmpfs') === tmpfs && (base.readAheadKb ?? 8192) === ra) return base;
  const key = `${v.files}/${ra}`;
  let byKey = derived.get(base);
  if (!byKey) derived.set(base, (byKey = new Map()));
  let img = byKey.get(key);
  if (!img) {
    img = { ...base, filesFs: tmpfs ? 'tmpfs' : 'other', readAheadKb: ra };
    // A tmpfs superblock has the noop bdi: no queue, io_pages 0 (mm/backing-dev.c:noop_backing_dev_info).
    if (tmpfs) img.maxSectorsKb = 0;
    else if (base.filesFs === 'tmpfs') delete img.maxSectorsKb;
    byKey.set(key, img);
  }
  return img;
}

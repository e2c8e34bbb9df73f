// The readahead limits of a backing device (struct backing_dev_info: ra_pages,
// io_pages), which decide how much of a file a page-cache miss or MADV_WILLNEED reads
// (runtime/readahead.ts). The host reports the device of the filesystem holding the
// scenario's files in its StartImage (readAheadKb, maxSectorsKb); without one the model
// uses the test machine's.
import type { StartImage } from '../schema/generated/types.js';

export interface BackingDev {
  /** bdi->ra_pages (read_ahead_kb / 4): copied into file->f_ra.ra_pages at open (mm/readahead.c:file_ra_state_init). */
  readonly raPages: number;
  /** bdi->io_pages (the queue's max_sectors_kb / 4, block/blk-settings.c:blk_apply_bdi_limits). */
  readonly ioPages: number;
}

/**
 * The test machine's root disk (ext4 on /dev/vda, 254:0, where the executor's temp dir
 * lives): /sys/class/bdi/254:0/read_ahead_kb 8192 and /sys/block/vda/queue/max_sectors_kb
 * 4096 (Linux 6.18.44). Used by `image default` and by host images that do not say.
 */
export const DEFAULT_BDI: BackingDev = { raPages: 8192 / 4, ioPages: 4096 / 4 };

/** The backing device a start image reports (fields it lacks keep the default's values). */
export function backingDevFromImage(image: StartImage): BackingDev {
  if (image.readAheadKb === undefined && image.maxSectorsKb === undefined) return DEFAULT_BDI;
  return {
    raPages: image.readAheadKb !== undefined ? Math.floor(image.readAheadKb / 4) : DEFAULT_BDI.raPages,
    ioPages: image.maxSectorsKb !== undefined ? Math.floor(image.maxSectorsKb / 4) : DEFAULT_BDI.ioPages,
  };
}

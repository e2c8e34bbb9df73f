// Seed 004, Konstantin Khlebnikov's alternative (24 Aug 2015, seed lines 74-85):
// no sticky VM_LOCKONFAULT, so mremap of a locked area populates it (as in
// onfault-mremap-populates), unless the caller passes the opposite flag
// MREMAP_NOPOPULATE: "do not populate new segment of locked areas". The thread
// gives no value; the profile takes 8, the lowest bit free on 6.18 (MAYMOVE 1,
// FIXED 2, DONTUNMAP 4). With it nothing is populated and the lock state is kept
// as it was. Not modelled: "do not copy normal areas if possible" (line 78).
import { doMremap } from '../mremap.js';
import type { Patch } from '../profile.js';
import { populateRemappedLocked } from './onfault-mremap-populates.js';

export const MREMAP_NOPOPULATE = 8;

export const MREMAP_NOPOPULATE_PATCH: Patch = {
  name: 'mremap-nopopulate',
  summary: 'no sticky VM_LOCKONFAULT; mremap populates a locked area unless given MREMAP_NOPOPULATE (8)',
  source: 'seed 004, Konstantin Khlebnikov in "Re: [PATCH v7 3/6] mm: Introduce VM_LOCKONFAULT", 2015-08-24 (lines 74-85)',
  mremapBits: () => ({ MREMAP_NOPOPULATE }),
  syscalls: {
    mremap: (t, addr, oldLen, newLen, flags, newAddr) => doMremap(t, addr, oldLen, newLen, flags, newAddr, {
      extraFlags: BigInt(MREMAP_NOPOPULATE),
      populate: (tt, d) => { if (!(d.flags & MREMAP_NOPOPULATE)) populateRemappedLocked(tt, d); },
    }),
  },
};

// Shared-memory clock between the pool and a worker: the worker publishes the
// batch index of the scenario it runs and when it started (ms since the
// batch's epoch, a wall-clock time both threads read the same way).
export const RUNNING_INDEX = 0;
export const RUNNING_SINCE = 1;

/** Wall-clock milliseconds at the monotonic rate (performance.now() alone differs per thread). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function newClock(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  new Int32Array(sab)[RUNNING_INDEX] = -1;
  return sab;
}

/** The scenario running now and since when (wall ms), or undefined between scenarios. */
export function readClock(sab: SharedArrayBuffer, epoch: number): { index: number; since: number } | undefined {
  const a = new Int32Array(sab);
  const index = Atomics.load(a, RUNNING_INDEX);
  if (index < 0) return undefined;
  return { index, since: epoch + Atomics.load(a, RUNNING_SINCE) };
}

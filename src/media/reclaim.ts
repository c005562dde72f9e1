// For programs that own their process (the emekit CLI): a cheap way to give node:crypto's output memory back
// for reuse while decrypting. A library must not do this behind its host's back, hence opt-in.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor' }) => void;

/**
 * Returns a `reclaim` hook for DecryptOptions that runs V8's minor (young-generation) collection, or
 * undefined if the runtime will not expose one. It also lets glibc keep freed memory: glibc raises its
 * mmap and trim thresholds to the size of a freed mmapped block (mallopt(3), "dynamic mmap threshold"),
 * so one 16 MiB block allocated and freed here stops it handing each freed page back to the kernel.
 */
export function minorGcReclaimer(): (() => void) | undefined {
  let gc: Gc;
  try {
    // The same switch jest uses for its leak detector; it only adds a `gc` global to new contexts.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  } catch {
    return undefined;
  }
  if (typeof gc !== 'function') return undefined;
  // Never touched, so never faulted in: costs one mmap and one munmap.
  Buffer.allocUnsafeSlow(16 * 1024 * 1024);
  gc({ type: 'minor' });
  return () => gc({ type: 'minor' });
}

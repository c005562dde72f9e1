import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptMedia, inspectMedia, listSamples, MediaError } from '../../src/media/index.js';
import { defaultKeys, KEYROLL, keyLookup, readFixture } from '../support/fixtures.js';
import { boxOffsets } from '../support/mp4.js';

const FILES = ['cenc_mp4box.mp4', 'cbcs_mp4box_prog.mp4', 'cenc_ffmpeg_prog.mp4', 'cenc_keyroll_mp4box.mp4', 'cbc1_mp4box.mp4'];
const originals = FILES.map((f) => readFixture(f));
const offsets = originals.map((b) => boxOffsets(b));
const keys = (() => {
  const roll = keyLookup(KEYROLL);
  return (kid: Uint8Array) => defaultKeys(kid) ?? roll(kid);
})();

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'truncate'; at: number } | { kind: 'size'; box: number; value: number } | { kind: 'field'; box: number; delta: number; value: number };

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('size' as const), box: fc.nat(), value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 7, 8, 0xffffffff)) }),
  fc.record({ kind: fc.constant('field' as const), box: fc.nat(), delta: fc.integer({ min: 8, max: 40 }), value: fc.oneof(fc.nat(), fc.constantFrom(0, 0xffff, 0xffffffff)) }),
);

function mutate(file: number, ms: Mutation[]): Buffer {
  let b = Buffer.from(originals[file]!);
  const offs = offsets[file]!;
  for (const m of ms) {
    if (m.kind === 'flip') {
      // Most structure sits in the first few KB and in moofs; bias flips there half of the time.
      const at = m.at % 2 === 0 ? m.at % Math.min(b.length, 8192) : m.at % b.length;
      b[at] = b[at]! ^ (1 << m.bit);
    } else if (m.kind === 'truncate') b = b.subarray(0, m.at % b.length);
    else {
      const base = offs[m.box % offs.length]!;
      const at = m.kind === 'size' ? base : base + m.delta;
      if (at + 4 <= b.length) b.writeUInt32BE(m.value >>> 0, at);
    }
  }
  return b;
}

const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

async function onlyMediaErrors(p: Promise<unknown>, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out: possible hang')), ms);
  });
  try {
    await Promise.race([p, timeout]);
  } catch (e) {
    if (!(e instanceof MediaError)) throw e;
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzzing with mutated real fixtures', () => {
  const arb = fc.tuple(fc.integer({ min: 0, max: FILES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }));

  it('decryptMedia only ever fails with MediaError, in bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ([file, ms]) => {
        await onlyMediaErrors(decryptMedia(mutate(file, ms), sink(), { keys }));
      }),
      { numRuns: 600, seed: 4242 },
    );
  });

  it('the same from a file to a file with blocking I/O (slabs, file sink, output removed on failure)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emekit-fuzz-'));
    try {
      await fc.assert(
        fc.asyncProperty(arb, async ([file, ms]) => {
          const input = join(dir, 'in.mp4');
          const out = join(dir, 'out.mp4');
          writeFileSync(input, mutate(file, ms));
          rmSync(out, { force: true });
          let failed = false;
          await onlyMediaErrors(decryptMedia(input, out, { keys, blockingIo: true, chunkSize: 64 * 1024 }).catch((e: unknown) => ((failed = true), Promise.reject(e))));
          if (failed) expect(existsSync(out)).toBe(false);
        }),
        { numRuns: 200, seed: 99 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inspectMedia and the sample reader only ever fail with MediaError', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ([file, ms]) => {
        const b = mutate(file, ms);
        await onlyMediaErrors(inspectMedia(b));
        await onlyMediaErrors(Promise.resolve().then(() => listSamples(b)));
      }),
      { numRuns: 400, seed: 777 },
    );
  });

  it('random seeds too (not reproducible, keeps finding new cases in CI)', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ([file, ms]) => {
        await onlyMediaErrors(decryptMedia(mutate(file, ms), sink(), { keys }));
      }),
      { numRuns: Number(process.env.EMEKIT_FUZZ_RUNS ?? 200) },
    );
  });

  it('the unmutated fixtures still decrypt', async () => {
    for (const b of originals) await expect(decryptMedia(b, sink(), { keys })).resolves.toBeDefined();
  });
});

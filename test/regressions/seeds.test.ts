// The fuzzer's MP4 seeds (fuzz/small-seeds.ts) are the fixtures cut small with every count and offset rewritten:
// if a cut went wrong, every mutant would start from an input already rejected and the fuzzer would quietly test
// less. Each protected fragmented fixture's cut must still decrypt with its keys, the wrong-key check on.
import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { smallSeeds } from '../../fuzz/small-seeds.js';
import { decryptMedia, inspectMedia, listSamples } from '../../src/media/index.js';
import { cencDir, defaultKeys, KEYROLL, keyLookup, readFixture } from '../support/fixtures.js';

const roll = keyLookup(KEYROLL);
const keys = (kid: Uint8Array) => defaultKeys(kid) ?? roll(kid);
const fragmented = readdirSync(cencDir).filter((n) => n.endsWith('.mp4') && !n.includes('prog') && !n.startsWith('clear'));

describe('small MP4 seeds', () => {
  it.each(fragmented)('%s: init segment and one fragment cut to a few samples, which decrypt', async (name) => {
    const file = readFixture(name);
    const [init, cut] = smallSeeds(file);
    expect(cut, 'the fragment was cut').toBeDefined();
    expect(cut!.length).toBeLessThan(file.length / 8);
    expect(cut!.subarray(0, init!.length).equals(init!)).toBe(true);
    const report = await decryptMedia(cut!, new Writable({ write: (_c, _e, cb) => cb() }), { keys });
    expect(report.samplesDecrypted).toBeGreaterThan(0);
    const samples = [...listSamples(cut!).values()].reduce((n, track) => n + track.length, 0);
    expect(report.samplesDecrypted + report.samplesClear).toBe(samples);
    expect((await inspectMedia(cut!)).tracks.length).toBeGreaterThan(0);
  });
});

// The mse target's seeds must play: an input that is always refused would test only the refusal.
describe('mse seeds (fuzz/mse.ts)', () => {
  it('every seed plays to the end through the target: appended, licensed, decrypted on emekit/dom', async () => {
    const { RUN, setUp } = await import('../../fuzz/targets.js');
    const { seeds } = await import('../../fuzz/seeds.js');
    await setUp('mse');
    const inputs = seeds('mse');
    expect(inputs.length).toBeGreaterThanOrEqual(5);
    for (const input of inputs) expect(await RUN.mse(input)).toEqual({ kind: 'ok' });
  }, 60_000);

  it('a cut segment, a bad box size and a garbage append end as documented outcomes', async () => {
    const { RUN } = await import('../../fuzz/targets.js');
    const { seeds } = await import('../../fuzz/seeds.js');
    const seed = seeds('mse')[0]!;
    const cut = seed.subarray(0, seed.length - 200);
    const badSize = Buffer.from(seed);
    badSize.writeUInt32BE(4, 0);
    for (const input of [cut, badSize, Buffer.alloc(300, 0xab)]) expect(['ok', 'rejected']).toContain((await RUN.mse(input)).kind);
  }, 60_000);
});

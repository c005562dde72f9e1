import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptMedia, extractInitData, listSamples } from '../../src/media/index.js';
import { hasShaka, keyLookup, shakaDir } from '../support/fixtures.js';
import { sampleDiff } from '../support/mp4.js';

if (!hasShaka) console.warn(`Shaka media not found at ${shakaDir}: skipping the real-world cenc tests`);

const keys = keyLookup([
  ['517453862d4256fd8bad4f58422004d7', '517453862d4256fd8bad4f58422004d7'],
  ['26470f4296d45d04a9babb442e169800', '26470f4296d45d04a9babb442e169800'],
  ['26093af868d35e2cae9f1cd3d59932f1', '116865b98ce845655fcac0c4e062dfdd'],
  ['763c2f1ed21a521ba1f1bc49e9d429ac', '93e6a021c75f89c500ac96d6a7a10a95'],
  ['4060a865887842679cbf91ae5bae1e72', 'fc35340837310cc0fb53de97e22a69e0'],
]);

function cat(...files: string[]): Buffer {
  return Buffer.concat(files.map((f) => readFileSync(join(shakaDir, f))));
}

async function decrypt(bytes: Buffer): Promise<{ out: Buffer; decrypted: number; clear: number }> {
  const parts: Buffer[] = [];
  const { Writable } = await import('node:stream');
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) });
  const r = await decryptMedia(bytes, sink, { keys });
  return { out: Buffer.concat(parts), decrypted: r.samplesDecrypted, clear: r.samplesClear };
}

describe.skipIf(!hasShaka)('Shaka real-world cenc media', () => {
  it.each([
    ['v', 's1'],
    ['v', 's2'],
    ['a', 's1'],
    ['a', 's2'],
  ])('clear-encrypted %s %s equals its clear twin sample for sample', async (av, seg) => {
    const { out } = await decrypt(cat(`clear-encrypted/enc-${av}-init.mp4`, `clear-encrypted/enc-${av}-${seg}.mp4`));
    const twin = cat(`clear-encrypted/clear-${av}-init.mp4`, `clear-encrypted/clear-${av}-${seg}.mp4`);
    const [id] = [...listSamples(twin).keys()];
    expect(sampleDiff(twin, out, id!)).toEqual([]);
  });

  it.each([
    ['multidrm-video-init.mp4', ['multidrm-video-segment.mp4']],
    ['multidrm-audio-init.mp4', ['multidrm-audio-segment.mp4']],
    ['dash-clearkey/video-H264-288-400k_init.mp4', [1, 2, 3, 4, 5].map((i) => `dash-clearkey/video-H264-288-400k_${i}.m4s`)],
  ] as const)('%s + segments decrypt every sample (AVC checked for NAL validity)', async (init, segs) => {
    const { decrypted } = await decrypt(cat(init, ...segs));
    expect(decrypted).toBeGreaterThan(100);
  });

  it('extracts Widevine/PlayReady pssh as cenc init data and the tenc key ID for keyids init data', async () => {
    const init = await extractInitData(join(shakaDir, 'multidrm-video-init.mp4'));
    expect(init.allKeyIds).toEqual(['26093af868d35e2cae9f1cd3d59932f1']);
    expect(init.cenc.length).toBe(56 + 550);
  });
});

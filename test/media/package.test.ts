// packageMedia: a clear MP4 → a DASH + HLS presentation. Each track's init segment followed by its media segments
// decrypts (emekit's decrypt) to the clear track sample for sample; the manifests carry the Clear Key signalling;
// ffprobe (a DASH reader nobody here wrote) reads the manifest's segments; a failed run leaves nothing behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptMedia, MediaError, packageMedia, packagePresentation, type PackageReport } from '../../src/media/index.js';
import { openSource } from '../../src/media/io/io.js';
import { readTimeline } from '../../src/media/protect/timeline.js';
import { defaultKeys, fixture, KEYS, readFixture } from '../support/fixtures.js';
import { boxTypes, hasFfmpeg, sampleDiff } from '../support/mp4.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const video = { keyId: Buffer.from(KEYS.video.kid, 'hex'), key: Buffer.from(KEYS.video.key, 'hex') };
const audio = { keyId: Buffer.from(KEYS.audio.kid, 'hex'), key: Buffer.from(KEYS.audio.key, 'hex') };
const LICENSE = 'https://license.example/license?a=1&b=2';

/** A representation's init segment and media segments, in order, as one file. */
const joined = (out: string, report: PackageReport, id: string) => {
  const r = report.presentation.representations.find((x) => x.id === id)!;
  return Buffer.concat([readFileSync(join(out, r.init)), ...r.segments.map((_, i) => readFileSync(join(out, r.media.replace('$Number$', String(i + 1)))))]);
};

describe.each(['cenc', 'cbcs'] as const)('%s presentation of clear_prog.mp4', (scheme) => {
  const out = join(dir, scheme);
  let report: PackageReport;
  beforeAll(async () => {
    report = await packageMedia([fixture('clear_prog.mp4')], out, { scheme, keys: (t) => (t.handler === 'vide' ? video : audio), licenseUrl: LICENSE, segmentDuration: 1 });
  });

  it('writes the manifests and per track an init segment and segments', () => {
    expect(readdirSync(out).sort()).toEqual(['audio', 'manifest.mpd', 'master.m3u8', 'video']);
    expect(report.presentation.representations.map((r) => [r.id, r.codecs, r.segments.length > 1])).toEqual([
      ['video', 'avc1.42c00d', true],
      ['audio', 'mp4a.40.2', true],
    ]);
  });

  it.each([
    ['video', 1],
    ['audio', 2],
  ] as const)('%s: init + segments decrypt to the clear track, and every video segment starts on a keyframe', async (id, trackId) => {
    const file = join(dir, `${scheme}-${id}.mp4`);
    writeFileSync(file, joined(out, report, id));
    const clearOut = join(dir, `${scheme}-${id}.clear.mp4`);
    const decrypted = await decryptMedia(file, clearOut, { keys: defaultKeys });
    expect(decrypted.schemes).toEqual([scheme]);
    const clearTrack = readFileSync(clearOut);
    const source = await readTimeline(await openSource(clearTrack));
    await source.source.close();
    expect(source.tracks).toHaveLength(1);
    const clear = readFixture('clear_prog.mp4');
    expect(sampleDiff(clear, clearTrack, trackId)).toEqual([]);
    const r = report.presentation.representations.find((x) => x.id === id)!;
    const starts = new Set(r.segments.map((s) => s.start));
    const firsts = source.tracks[0]!.samples.filter((s) => starts.has(s.decodeTime));
    expect(firsts).toHaveLength(r.segments.length);
    if (id === 'video') expect(firsts.every((s) => s.sync)).toBe(true);
  });

  it('DASH: mp4protection with cenc:default_KID, Clear Key elements (W3C common and DASH-IF IDs) naming the license server', () => {
    const mpd = readFileSync(join(out, 'manifest.mpd'), 'utf8');
    const uuid = (hex: string) => hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    expect(mpd).toContain(`<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="${scheme}" cenc:default_KID="${uuid(KEYS.video.kid)}"/>`);
    expect(mpd).toContain(`cenc:default_KID="${uuid(KEYS.audio.kid)}"`);
    expect(mpd.match(/<ContentProtection schemeIdUri="urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b" value="ClearKey1.0">/g)).toHaveLength(2);
    expect(mpd.match(/<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0">/g)).toHaveLength(2);
    expect(mpd.match(/<clearkey:Laurl Lic_type="EME-1.0">https:\/\/license\.example\/license\?a=1&amp;b=2<\/clearkey:Laurl>/g)).toHaveLength(4);
    expect(mpd).toContain('xmlns:clearkey="http://dashif.org/guidelines/clearKey"');
  });

  it('HLS: master with the audio as a rendition group; media playlists with EXT-X-KEY (org.w3.clearkey) before EXT-X-MAP and the segments', () => {
    const master = readFileSync(join(out, 'master.m3u8'), 'utf8').split('\n');
    expect(master).toContain('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/playlist.m3u8"');
    expect(master.find((l) => l.startsWith('#EXT-X-STREAM-INF:'))).toMatch(/CODECS="avc1\.42c00d,mp4a\.40\.2",RESOLUTION=320x240,AUDIO="audio"$/);
    const media = readFileSync(join(out, 'video/playlist.m3u8'), 'utf8').split('\n');
    const method = scheme === 'cenc' ? 'SAMPLE-AES-CTR' : 'SAMPLE-AES';
    const key = media.findIndex((l) => l.startsWith('#EXT-X-KEY:'));
    expect(media[key]).toBe(`#EXT-X-KEY:METHOD=${method},URI="data:text/plain;base64,${video.keyId.toString('base64')}",KEYID=0x${KEYS.video.kid},KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1"`);
    expect(media[key + 1]).toBe('#EXT-X-MAP:URI="init.mp4"');
    const durations = media.filter((l) => l.startsWith('#EXTINF:')).map((l) => Number(l.slice(8, -1)));
    const r = report.presentation.representations[0]!;
    expect(durations).toEqual(r.segments.map((s) => Number((s.duration / r.timescale).toFixed(6))));
    expect(durations.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 3);
    expect(media.at(-2)).toBe('#EXT-X-ENDLIST');
  });

  it.skipIf(!hasFfmpeg)("ffprobe reads the DASH manifest's segments", () => {
    const r = spawnSync('ffprobe', ['-v', 'quiet', '-show_entries', 'stream=codec_name,width,height,sample_rate:format=duration', '-of', 'json', join(out, 'manifest.mpd')], { encoding: 'utf8' });
    const probed = JSON.parse(r.stdout) as { streams: Record<string, unknown>[]; format: { duration: string } };
    expect(probed.streams).toMatchObject([
      { codec_name: 'h264', width: 320, height: 240 },
      { codec_name: 'aac', sample_rate: '48000' },
    ]);
    expect(Number(probed.format.duration)).toBeCloseTo(4, 1);
  });
});

describe('failures leave nothing behind', () => {
  it('an input that is not ISO-BMFF', async () => {
    const out = join(dir, 'bad');
    const error = await packageMedia([Buffer.from('not an mp4 at all, really')], out, { keys: video }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('bad'))).toEqual([]);
  });

  it('an output folder that is not empty is left alone', async () => {
    const out = join(dir, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(packageMedia([fixture('clear_prog.mp4')], out, { keys: video })).rejects.toThrow(/not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });

  it('HLS has no method for cens or cbc1', async () => {
    await expect(packageMedia([fixture('clear_prog.mp4')], join(dir, 'cens'), { keys: video, scheme: 'cens' as 'cenc' })).rejects.toThrow(/cenc or cbcs/);
  });
});

describe('packagePresentation: in memory, with key rotation', () => {
  it('a new key per period: seig groups and a pssh in the moof where it starts, a new EXT-X-KEY, the init segment naming the first key only', async () => {
    const periodKeys = [0, 1, 2, 3].map((n) => ({ keyId: Buffer.alloc(16, 0x10 + n), key: Buffer.alloc(16, 0x20 + n) }));
    const report = await packagePresentation([fixture('clear_prog.mp4')], {
      keys: periodKeys[0]!,
      segmentDuration: 1,
      rotation: { seconds: 2, key: (period) => periodKeys[period]! },
    });
    expect(report.keyIds).toEqual([periodKeys[0]!.keyId.toString('hex'), periodKeys[1]!.keyId.toString('hex')]);
    const files = report.files;
    expect([...files.keys()].filter((p) => !p.includes('seg-')).sort()).toEqual(['audio/init.mp4', 'audio/playlist.m3u8', 'manifest.mpd', 'master.m3u8', 'video/init.mp4', 'video/playlist.m3u8']);
    const init = files.get('video/init.mp4')!;
    expect(init.includes(periodKeys[0]!.keyId)).toBe(true);
    expect(init.includes(periodKeys[1]!.keyId)).toBe(false);
    const playlist = files.get('video/playlist.m3u8')!.toString('utf8');
    expect(playlist.match(/#EXT-X-KEY:/g)).toHaveLength(2);
    expect(playlist).toContain(`KEYID=0x${periodKeys[1]!.keyId.toString('hex')}`);
    const r = report.presentation.representations[0]!;
    const segments = r.segments.map((_, i) => files.get(`video/seg-${i + 1}.m4s`)!);
    // The segment where the second period starts carries its pssh and seig group; the one before does not.
    const second = r.segments.findIndex((s) => s.keyId!.equals(periodKeys[1]!.keyId));
    expect(second).toBeGreaterThan(0);
    expect(boxTypes(segments[second]!)).toEqual(expect.arrayContaining(['pssh', 'sgpd:seig', 'sbgp:seig']));
    expect(boxTypes(segments[second - 1]!)).not.toContain('pssh');
    const file = join(dir, 'rotated-video.mp4');
    writeFileSync(file, Buffer.concat([init, ...segments]));
    const lookup = (kid: Uint8Array) => periodKeys.find((k) => k.keyId.equals(kid))?.key;
    await decryptMedia(file, join(dir, 'rotated-video.clear.mp4'), { keys: lookup });
    expect(sampleDiff(readFixture('clear_prog.mp4'), readFileSync(join(dir, 'rotated-video.clear.mp4')), 1)).toEqual([]);
  });
});

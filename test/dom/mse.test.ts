// Media Source Extensions on jsdom and happy-dom windows: appending the fixtures' init and media segments, whole and
// split at arbitrary bytes, buffered ranges, the frames stored against the clear source, encrypted init data,
// and segments the ISO BMFF byte stream format refuses.
import { describe, expect, it } from 'vitest';
import { trackSamples } from '../../src/media/index.js';
import { CLEAR_KEY_SYSTEM_ID, encryptMp4, psshBox } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { append, HOSTS, nextEvent, openMediaSource, ranges, segments, type Dom } from '../support/mse.js';

const TYPE = 'video/mp4; codecs="avc1.42C00D, mp4a.40.2"';
const clearFrag = readFixture('clear_frag.mp4');
const kid = Buffer.from(KEYS.video.kid, 'hex');
const key = Buffer.from(KEYS.video.key, 'hex');
const protectedFrag = encryptMp4(clearFrag, { scheme: 'cenc', key, kid, ivSize: 8 });

// ffprobe -show_entries stream=start_time,duration clear_frag.mp4: video 0–4.021406 s (ffmpeg gives the first
// frame 61.4 ms), audio 0–4.021333 s.
const VIDEO_END = 4.02140625;
const AUDIO_END = 4.021333333333333;

/** Every frame each track buffer holds, decode order. */
function storedFrames(tracks: readonly Dom[]): Map<string, Dom[]> {
  return new Map(tracks.map((t) => [t.id, [...t.frames(-Infinity, Infinity)]]));
}

describe.each(HOSTS)('MSE on %s', (host) => {
  it('appends an init segment and media segments: events, tracks, buffered per track and intersected', async () => {
    const { window, mediaSource, link, attached } = await openMediaSource(host);
    expect(mediaSource.readyState).toBe('open');
    const sb = mediaSource.addSourceBuffer(TYPE);
    expect(sb).toBeInstanceOf(window.SourceBuffer);
    expect(sb).toBeInstanceOf(window.EventTarget);
    expect(mediaSource.sourceBuffers.length).toBe(1);
    expect(mediaSource.sourceBuffers[0]).toBe(sb);
    const { init, media } = segments(clearFrag);
    expect(await append(sb, init)).toEqual(['updatestart', 'update', 'updateend']);
    // No duration in the init segment (ffmpeg's empty_moov): +Infinity (MSE init segment received step 1).
    expect(mediaSource.duration).toBe(Infinity);
    expect(link.calls).toEqual(['durationChanged', 'initSegmentReceived']);
    expect(link.tracks.map((t) => [t.id, t.kind, t.codec, t.width, t.height])).toEqual([
      ['1', 'video', 'avc1.42c00d', 320, 240],
      ['2', 'audio', 'mp4a.40.2', undefined, undefined],
    ]);
    expect(mediaSource.activeSourceBuffers.length).toBe(1);
    expect(ranges(sb.buffered)).toEqual([]);
    for (const m of media) expect(await append(sb, m)).toEqual(['updatestart', 'update', 'updateend']);
    expect(link.tracks[0]!.buffered()).toEqual([[0, VIDEO_END]]);
    expect(link.tracks[1]!.buffered()).toEqual([[0, AUDIO_END]]);
    expect(ranges(sb.buffered)).toEqual([[0, AUDIO_END]]);
    expect(attached.buffered()).toEqual([[0, AUDIO_END]]);
    expect(sb.buffered).toBeInstanceOf(window.TimeRanges);
    // endOfStream(): the last range of each track runs to the highest end; duration becomes it.
    mediaSource.endOfStream();
    expect(mediaSource.readyState).toBe('ended');
    expect(ranges(sb.buffered)).toEqual([[0, VIDEO_END]]);
    expect(mediaSource.duration).toBe(VIDEO_END);
    expect(attached.ended).toBe(true);
    expect(link.calls.slice(-2)).toEqual(['durationChanged', 'streamEnded']);
  });

  it('stores every sample as appended, equal to the clear source, with decode timing', async () => {
    const { mediaSource, link } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    await append(sb, clearFrag);
    const clearProg = readFixture('clear_prog.mp4');
    const frames = storedFrames(link.tracks);
    for (const [track, count] of [[1, 100], [2, 189]] as const) {
      const expected = trackSamples(clearProg, track);
      const got = frames.get(String(track))!;
      expect(got.length).toBe(count);
      got.forEach((f, i) => expect(Buffer.from(f.data).equals(expected[i]!), `track ${track} sample ${i}`).toBe(true));
      // Decode order, contiguous: each frame starts where the previous one ends (no B-frames here).
      for (let i = 1; i < got.length; i++) expect(got[i].dts).toBeCloseTo(got[i - 1].dts + got[i - 1].duration, 9);
    }
    // -g 25: a keyframe every second of video; every audio frame is a random access point.
    expect(frames.get('1')!.flatMap((f, i) => (f.keyframe ? [i] : []))).toEqual([0, 25, 50, 75]);
    expect(frames.get('2')!.every((f) => f.keyframe)).toBe(true);
  });

  it('reassembles segments split across appendBuffer calls at any byte', async () => {
    const whole = await openMediaSource(host);
    await append(whole.mediaSource.addSourceBuffer(TYPE), clearFrag);
    const expected = storedFrames(whole.link.tracks);
    // Cut points that fall inside box headers, size fields, the moov, moofs and mdats.
    const cuts = [1, 3, 7, 8, 9, 15, 600, 1581, 1582, 1590, 40_000, 40_001, 120_000, clearFrag.length - 1];
    const split = await openMediaSource(host);
    const sb = split.mediaSource.addSourceBuffer(TYPE);
    let from = 0;
    for (const cut of [...cuts, clearFrag.length]) {
      expect(await append(sb, clearFrag.subarray(from, cut))).toEqual(['updatestart', 'update', 'updateend']);
      from = cut;
    }
    const got = storedFrames(split.link.tracks);
    for (const [id, frames] of expected) {
      expect(got.get(id)!.map((f) => [f.pts, f.dts, f.duration, f.keyframe])).toEqual(frames.map((f) => [f.pts, f.dts, f.duration, f.keyframe]));
      got.get(id)!.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(frames[i].data))).toBe(true));
    }
    expect(ranges(sb.buffered)).toEqual([[0, AUDIO_END]]);
  });

  it('reports each run of pssh boxes of the init segment and of moofs to the element, and keeps sample protection', async () => {
    const rotated = psshBox(CLEAR_KEY_SYSTEM_ID, [Buffer.alloc(16, 7)]);
    const file = encryptMp4(clearFrag, { scheme: 'cenc', key, kid, ivSize: 8, moofPssh: (n) => (n === 1 ? { head: [rotated] } : {}) });
    const { mediaSource, link } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    await append(sb, file);
    expect(link.initData).toEqual([`cenc:${psshBox(CLEAR_KEY_SYSTEM_ID, [kid]).toString('hex')}`, `cenc:${rotated.toString('hex')}`]);
    const frames = storedFrames(link.tracks);
    expect([...frames.values()].flat().every((f) => f.crypto?.scheme === 'cenc' && Buffer.from(f.crypto.keyId).equals(kid))).toBe(true);
    // The data stays as appended: encrypted, so unequal to the clear samples.
    const clear = trackSamples(readFixture('clear_prog.mp4'), 2);
    expect(Buffer.from(frames.get('2')![0].data).equals(clear[0]!)).toBe(false);
    expect(frames.get('2')![0].data.length).toBe(clear[0]!.length);
  });

  it('runs the append error algorithm for a traf without tfdt (GPAC fragments), as Chromium refuses them', async () => {
    const { mediaSource, link } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    const states: string[] = [];
    sb.addEventListener('error', () => states.push(`error updating=${sb.updating}`));
    mediaSource.addEventListener('sourceended', () => states.push('sourceended'));
    const ended = nextEvent(mediaSource, 'sourceended');
    expect(await append(sb, readFixture('cenc_mp4box.mp4'))).toEqual(['updatestart', 'error', 'updateend']);
    await ended;
    // The append error algorithm queues error and updateend, then runs the end of stream algorithm (sourceended).
    expect(states).toEqual(['error updating=false', 'sourceended']);
    expect(mediaSource.readyState).toBe('ended');
    expect(link.calls.at(-1)).toMatch(/^decodeError: .*no tfdt/);
    expect(sb.updating).toBe(false);
  });

  it('runs the append error algorithm for bytes that are not ISO BMFF, and for a media segment before any init segment', async () => {
    for (const bytes of [Buffer.from('1a45dfa3a3428681', 'hex'), segments(protectedFrag).media[0]!]) {
      const { mediaSource, link } = await openMediaSource(host);
      const sb = mediaSource.addSourceBuffer(TYPE);
      expect(await append(sb, bytes)).toEqual(['updatestart', 'error', 'updateend']);
      expect(link.calls.at(-1)).toMatch(/^decodeError: /);
    }
  });
});

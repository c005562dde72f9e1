// Where coded frames land on the presentation timeline: timestampOffset, append windows, remove(), abort(),
// 'sequence' mode, changeType() and the buffer quota with coded frame eviction. The video-only fixture has four
// one-second GOPs of 25 frames of 40 ms, one per media segment (ffprobe -show_frames: keyframes at 0, 1, 2, 3 s).
import { describe, expect, it } from 'vitest';
import { readFixture } from '../support/fixtures.js';
import { append, HOSTS, nextEvent, openMediaSource, ranges, segments, tasksRun } from '../support/mse.js';

const TYPE = 'video/mp4; codecs="avc1.42C00D"';
const video = readFixture('clear_frag_video.mp4');
const { init, media } = segments(video);
const K1 = 1;
const K2 = 2;
const K3 = 3;
const END = 4;

async function videoBuffer(host: (typeof HOSTS)[number], options?: Parameters<typeof openMediaSource>[1]) {
  const setup = await openMediaSource(host, options);
  const sb = setup.mediaSource.addSourceBuffer(TYPE);
  await append(sb, init);
  return { ...setup, sb };
}

// The interfaces' TypeErrors are the window realm's (happy-dom's windows have their own built-ins).
describe.each(HOSTS)('MSE timeline on %s', (host) => {
  it('timestampOffset moves appended frames; it cannot change inside a media segment', async () => {
    const { window, sb } = await videoBuffer(host);
    sb.timestampOffset = 10;
    await append(sb, media[1]!);
    expect(ranges(sb.buffered)).toEqual([[10 + K1, 10 + K2]]);
    // Half a media segment: append state PARSING_MEDIA_SEGMENT once its moof is complete.
    await append(sb, media[2]!.subarray(0, media[2]!.length - 100));
    expect(() => (sb.timestampOffset = 0)).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    expect(() => (sb.mode = 'sequence')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await append(sb, media[2]!.subarray(media[2]!.length - 100));
    expect(ranges(sb.buffered)).toEqual([[10 + K1, 10 + K3]]);
    expect(() => (sb.timestampOffset = Infinity)).toThrow(window.TypeError);
  });

  it('drops frames outside the append window, then waits for a random access point', async () => {
    const { window, sb } = await videoBuffer(host);
    sb.appendWindowStart = 1.5;
    sb.appendWindowEnd = 3;
    for (const m of media) await append(sb, m);
    // Frames before 1.5 s are dropped, and so are the non-keyframes up to the keyframe at 2 s; the last frame kept
    // ends at 3 s exactly (a frame ending past appendWindowEnd is dropped).
    expect(ranges(sb.buffered)).toEqual([[K2, K3]]);
    expect(() => (sb.appendWindowStart = 3)).toThrow(window.TypeError);
    expect(() => (sb.appendWindowStart = -1)).toThrow(window.TypeError);
    expect(() => (sb.appendWindowEnd = 1.5)).toThrow(window.TypeError);
    expect(() => (sb.appendWindowEnd = NaN)).toThrow(window.TypeError);
    sb.appendWindowEnd = Infinity;
    expect(sb.appendWindowEnd).toBe(Infinity);
    // The same GOP again with the window ending at 2.99 s: it replaces the one buffered (its keyframe overlaps, and
    // everything depending on that goes too), without its last frame.
    sb.appendWindowEnd = 2.99;
    await append(sb, media[2]!);
    expect(ranges(sb.buffered)).toEqual([[K2, 2.96]]);
  });

  it('remove() takes out the range and the frames that depend on it, up to the next random access point', async () => {
    const { window, sb, mediaSource, link } = await videoBuffer(host);
    for (const m of media) await append(sb, m);
    const seen: string[] = [];
    for (const type of ['updatestart', 'update', 'updateend']) sb.addEventListener(type, () => seen.push(type));
    sb.remove(1.5, 2.5);
    expect(sb.updating).toBe(true);
    expect(() => sb.remove(0, 1)).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await nextEvent(sb, 'updateend');
    expect(seen).toEqual(['updatestart', 'update', 'updateend']);
    // The first frame at or after 1.5 s starts at 1.52 s; removal runs on to the keyframe at 3 s.
    expect(ranges(sb.buffered)).toEqual([[0, 1.52], [K3, END]]);
    expect(link.calls.at(-1)).toBe('bufferedChanged');
    // Argument checks against the duration (Infinity here: the init segment gives none).
    expect(mediaSource.duration).toBe(Infinity);
    expect(() => sb.remove(-1, 2)).toThrow(window.TypeError);
    expect(() => sb.remove(2, 2)).toThrow(window.TypeError);
    expect(() => sb.remove(0, NaN)).toThrow(window.TypeError);
  });

  it('abort() during an append: abort and updateend, nothing of it buffered, append window reset', async () => {
    const { sb } = await videoBuffer(host);
    sb.appendWindowStart = 0.5;
    const seen: string[] = [];
    for (const type of ['updatestart', 'update', 'updateend', 'abort', 'error']) sb.addEventListener(type, () => seen.push(type));
    sb.appendBuffer(media[0]!);
    sb.abort();
    expect(sb.updating).toBe(false);
    await nextEvent(sb, 'updateend');
    await tasksRun();
    expect(seen).toEqual(['updatestart', 'abort', 'updateend']);
    expect(ranges(sb.buffered)).toEqual([]);
    expect([sb.appendWindowStart, sb.appendWindowEnd]).toEqual([0, Infinity]);
    // A partial segment left by abort() is dropped: the next append starts afresh.
    await append(sb, media[1]!.subarray(0, 5000));
    sb.abort();
    await append(sb, media[0]!);
    expect(ranges(sb.buffered)).toEqual([[0, K1]]);
  });

  it("'sequence' mode places each coded frame group right after the previous one", async () => {
    const { sb } = await videoBuffer(host);
    sb.mode = 'sequence';
    await append(sb, media[2]!);
    await append(sb, media[0]!);
    // The third GOP (1 s) first, at 0; then the first one (K1 long) right after it: its decode timestamps going
    // backwards start a new coded frame group at the group end timestamp.
    const buffered = ranges(sb.buffered);
    expect(buffered).toHaveLength(1);
    expect(buffered[0]![0]).toBe(0);
    expect(buffered[0]![1]).toBeCloseTo(2, 9);
    expect(sb.timestampOffset).toBeCloseTo(1, 9);
    expect(() => (sb.mode = 'bogus')).not.toThrow();
    expect(sb.mode).toBe('sequence');
  });

  it('changeType(): the next media segment needs a new init segment; unsupported types are refused', async () => {
    const { window, sb, link } = await videoBuffer(host);
    expect(() => sb.changeType('video/webm; codecs="vp9"')).toThrow(expect.objectContaining({ name: 'NotSupportedError' }));
    expect(() => sb.changeType('')).toThrow(window.TypeError);
    sb.changeType('video/mp4; codecs="avc1.64001f"');
    expect(await append(sb, media[0]!)).toEqual(['updatestart', 'error', 'updateend']);
    expect(link.calls.at(-1)).toMatch(/^decodeError: media segment received before the initialization segment/);
  });

  it('changeType() then a new init segment: appends go on into the same track buffer', async () => {
    const { sb } = await videoBuffer(host);
    await append(sb, media[0]!);
    sb.changeType('video/mp4; codecs="avc1.42C00D"');
    await append(sb, init);
    await append(sb, media[1]!);
    expect(ranges(sb.buffered)).toEqual([[0, K2]]);
  });

  it('QuotaExceededError past the quota; eviction frees whole GOPs before the current position first', async () => {
    const { sb, link } = await videoBuffer(host, { sourceBufferQuota: { video: 100_000 } });
    await append(sb, media[0]!);
    await append(sb, media[1]!);
    // 92.6 kB buffered + 39 kB: nothing before the current position (0) can go.
    expect(() => sb.appendBuffer(media[2]!)).toThrow(expect.objectContaining({ name: 'QuotaExceededError' }));
    expect(sb.updating).toBe(false);
    // Playing at 1.5 s: the GOP before the one being played is evicted, the one being played kept.
    link.currentTime = 1.5;
    await append(sb, media[2]!);
    expect(ranges(sb.buffered)).toEqual([[K1, K3]]);
  });

  it('re-appending a segment under a timestampOffset replaces its own frames only (no frame lost to float rounding)', async () => {
    const { init: avInit, media: avMedia } = segments(readFixture('clear_frag.mp4'));
    // With these offsets added, seconds as doubles put a frame's pts + duration an ulp past the next frame's pts at
    // some segment boundaries: without a tolerance the old copies stayed (193 audio frames) or, at 1.1 s, a whole
    // video GOP went (75 frames).
    for (const offset of [0.7, 1.1, 4.02140625]) {
      const { mediaSource, link } = await openMediaSource(host);
      const sb = mediaSource.addSourceBuffer('video/mp4; codecs="avc1.42C00D, mp4a.40.2"');
      await append(sb, avInit);
      sb.timestampOffset = offset;
      for (const m of avMedia) await append(sb, m);
      for (const [i, m] of avMedia.entries()) {
        await append(sb, m);
        const counts = link.tracks.map((t) => [...t.frames(-Infinity, Infinity)].length);
        expect(counts, `offset ${offset}: after appending segment ${i} again`).toEqual([100, 189]);
      }
      expect(ranges(sb.buffered)).toHaveLength(1);
    }
  });

  it('tracks of slightly different lengths appended in sequence leave no gap in buffered (Chromium\'s fudge room)', async () => {
    const { init: avInit, media: avMedia } = segments(readFixture('clear_frag.mp4'));
    const { mediaSource, link } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer('video/mp4; codecs="avc1.42C00D, mp4a.40.2"');
    await append(sb, avInit);
    sb.mode = 'sequence';
    for (const m of [...avMedia, ...avMedia]) await append(sb, m);
    // The second copy starts at the video's end (4.0214 s), 73 µs after the audio's (4.021333 s).
    const audio = [...link.tracks[1]!.frames(-Infinity, Infinity)];
    expect(audio[189]!.pts - (audio[188]!.pts + audio[188]!.duration)).toBeCloseTo(0.0000729, 6);
    expect(link.tracks[1]!.buffered()).toHaveLength(1);
    expect(ranges(sb.buffered)).toHaveLength(1);
  });
});

// Codec strings and picture sizes from init segments, checked against what other tools wrote about the same files:
// the DASH manifests that came with Shaka's media, and ffmpeg's command for the fixtures.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMovie, type Movie } from '../../src/media/boxes/movie.js';
import { readBox } from '../../src/media/boxes/box.js';
import { entryKind } from '../../src/media/boxes/protection.js';
import { editListOffset, movieDuration, trackFormat } from '../../src/media/boxes/track-format.js';
import { hasShaka, readFixture, shakaDir } from '../support/fixtures.js';

/** The moov of a file, parsed. */
function movieOf(file: Buffer): Movie {
  const ctx = { buf: file, base: 0 };
  let b = readBox(ctx, 0, file.length, '');
  while (b.type !== 'moov') b = readBox(ctx, b.end, file.length, '');
  return parseMovie(file.subarray(b.start, b.end), b.start);
}

function formats(file: Buffer): Array<{ codec: string; width?: number; height?: number }> {
  const movie = movieOf(file);
  return movie.tracks.map((t) => trackFormat(movie.ctx, t.entries[0]!, entryKind(t.entries[0]!.originalFormat, t.handler)!));
}

describe('track formats', () => {
  it('fixtures: H.264 Constrained Baseline level 1.3 320x240 (libx264 ultrafast), AAC-LC; protected entries by their frma', () => {
    expect(formats(readFixture('clear_frag.mp4'))).toEqual([{ codec: 'avc1.42c00d', width: 320, height: 240 }, { codec: 'mp4a.40.2' }]);
    expect(formats(readFixture('cenc_mp4box.mp4'))).toEqual([{ codec: 'avc1.42c00d', width: 320, height: 240 }, { codec: 'mp4a.40.2' }]);
  });

  it('the movie duration from mvhd', () => {
    // ffprobe -show_entries format=duration clear_prog.mp4: 4.000000 (mvhd: 4000 at timescale 1000).
    expect(movieDuration(movieOf(readFixture('clear_prog.mp4')))).toBe(4);
  });

  it("the edit list's media start: ffmpeg's 1024 AAC priming samples on the audio track, 0 on the video track", () => {
    const prog = movieOf(readFixture('clear_prog.mp4'));
    expect(prog.tracks.map((t) => editListOffset(prog.ctx, t.trak))).toEqual([0, 1024]);
    // The fragmented file ffmpeg made from it has no edit list.
    const frag = movieOf(readFixture('clear_frag.mp4'));
    expect(frag.tracks.map((t) => editListOffset(frag.ctx, t.trak))).toEqual([0, 0]);
  });

  it.skipIf(!hasShaka)('Shaka media: as their DASH manifests say (codecs, width, height)', () => {
    // Skipped without /work/shared/media/shaka (the project does not need it at run time).
    const shaka = (name: string) => readFileSync(resolve(shakaDir, name));
    expect(formats(shaka('clear-encrypted/clear-v-init.mp4'))).toEqual([{ codec: 'avc1.42c01e', width: 256, height: 110 }]);
    expect(formats(shaka('clear-encrypted/enc-v-init.mp4'))).toEqual([{ codec: 'avc1.42c01e', width: 256, height: 110 }]);
    expect(formats(shaka('clear-encrypted/enc-a-init.mp4'))).toEqual([{ codec: 'mp4a.40.2' }]);
    expect(formats(shaka('dash-clearkey/video-H264-288-400k_init.mp4'))).toEqual([{ codec: 'avc1.640015', width: 512, height: 288 }]);
  });
});

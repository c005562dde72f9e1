// Issue 16 item 1: every count is checked against the bytes that can back it before anything is allocated or
// looped over. The inputs are the attacks' own edits to real fixtures; each runs in a worker whose heap is
// limited to 64 times the input plus a fixed base, with a time limit, so the old behaviour (15 s and 3.7 GB, or
// V8's fatal heap limit) fails the test instead of the test process.
import { afterAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { BoundedRunner } from '../../fuzz/bounded.js';
import { decryptMedia, listSamples, MediaError } from '../../src/media/index.js';
import { deepNesting, emptyTruns, firstFragment, hugeSaiz } from '../support/hostile.js';

const runner = new BoundedRunner({ timeoutMs: 5_000 });
afterAll(() => runner.close());

const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

function rejection(fn: () => unknown): Promise<MediaError> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => expect.fail('accepted a hostile input'),
      (e: unknown) => {
        expect(e).toBeInstanceOf(MediaError);
        return e as MediaError;
      },
    );
}

describe('counts are bounded by the bytes that back them', () => {
  it('a trun without per-sample fields may not declare more samples than the input holds (decryptMedia, listSamples)', async () => {
    for (const truns of [1, 2]) {
      const input = emptyTruns(firstFragment('cenc_mp4box.mp4'), truns);
      const v = await runner.run('mp4', input);
      expect(v.kind, `${truns} trun(s): ${JSON.stringify(v)}`).toBe('rejected');
      expect(v.outcome).toMatchObject({ name: 'MediaError', code: 'malformed', box: 'moof/traf/trun', field: 'sample_count' });

      const e = await rejection(() => decryptMedia(input, sink(), { keys: () => Buffer.alloc(16) }));
      expect(e).toMatchObject({ code: 'malformed', box: 'moof/traf/trun', field: 'sample_count' });
      expect(e.message).toContain('16777215 samples');
    }
    // A clear track: nothing stops the old code before every sample is listed.
    const e = await rejection(() => listSamples(emptyTruns(firstFragment('clear_frag.mp4'), 2)));
    expect(e).toMatchObject({ code: 'malformed', box: 'moof/traf/trun', field: 'sample_count' });
  });

  it('a saiz without a size table may not declare more entries than there are samples, before their sizes are summed', async () => {
    const input = hugeSaiz('cenc_mp4box_prog.mp4');
    const v = await runner.run('mp4', input);
    expect(v.kind, JSON.stringify(v)).toBe('rejected');
    const e = await rejection(() => decryptMedia(input, sink(), { keys: () => Buffer.alloc(16) }));
    expect(e).toMatchObject({ code: 'malformed', box: 'moov/trak/mdia/minf/stbl/saiz', field: 'sample_count' });
  });
});

describe('errors by design (issue 16 item 4)', () => {
  it('3,000 nested boxes are refused at the depth limit, naming the path, not by a stack overflow turned into malformed', async () => {
    const input = deepNesting('cenc_mp4box_prog.mp4', 3000);
    const e = await rejection(() => decryptMedia(input, sink(), { keys: () => Buffer.alloc(16) }));
    expect(e.code).toBe('malformed');
    expect(e.message).toContain('nested more than 24 deep');
    expect(e.box).toMatch(/^moov\/trak(\/minf)+$/);
    expect(e.box!.split('/').length).toBe(24);
    expect(e.cause).toBeUndefined();
  });
});


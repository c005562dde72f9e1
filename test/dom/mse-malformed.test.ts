// Malformed media segments: whatever the bytes, an append ends with updateend — after update, or after error with
// the append error algorithm (MediaSource 'ended', the element told of a decode error) — and nothing is thrown out
// of the event loop (vitest fails a run on an uncaught exception or unhandled rejection).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { installMediaSource } from '../../src/dom/mse/install.js';
import { encryptMp4 } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { append, hostWindow, recordingLink, segments, type Dom } from '../support/mse.js';

const TYPE = 'video/mp4; codecs="avc1.42C00D, mp4a.40.2"';
const protectedFile = encryptMp4(readFixture('clear_frag.mp4'), {
  scheme: 'cbcs',
  key: Buffer.from(KEYS.video.key, 'hex'),
  kid: Buffer.from(KEYS.video.kid, 'hex'),
  ivSize: 0,
  constantIv: Buffer.alloc(16, 3),
});
const { init, media } = segments(protectedFile);
const segment = media[0]!;

describe('MSE with malformed segments (jsdom)', () => {
  const window = hostWindow('jsdom') as Dom;
  const registry = installMediaSource(window);

  /** Appends the init segment (unless `first` is given), then `bytes`: the events of that append, the state after. */
  async function appendAfterInit(bytes: Uint8Array, first: Uint8Array | undefined = init): Promise<{ events: string[]; readyState: string; calls: string[] }> {
    const mediaSource = new window.MediaSource();
    const link = recordingLink(window);
    registry.attachObject(mediaSource, link);
    await new Promise((resolve) => mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    const sb = mediaSource.addSourceBuffer(TYPE);
    if (first) expect(await append(sb, first)).toEqual(['updatestart', 'update', 'updateend']);
    const events = await append(sb, bytes);
    return { events, readyState: mediaSource.readyState, calls: link.calls };
  }

  const outcomeIsConsistent = ({ events, readyState, calls }: Awaited<ReturnType<typeof appendAfterInit>>): void => {
    if (events[1] === 'error') {
      expect(events).toEqual(['updatestart', 'error', 'updateend']);
      expect(readyState).toBe('ended');
      expect(calls.at(-1)).toMatch(/^decodeError: /);
    } else {
      expect(events).toEqual(['updatestart', 'update', 'updateend']);
      expect(readyState).toBe('open');
    }
  };

  it('a sample table running past its mdat, a trun count beyond the box, a size field below its header', async () => {
    // The mdat cut short (its size field too, so the box is complete): samples lie outside it.
    const short = Buffer.from(segment.subarray(0, segment.length - 500));
    const mdatAt = short.indexOf('mdat') - 4;
    short.writeUInt32BE(short.length - mdatAt, mdatAt);
    const cut = await appendAfterInit(short);
    expect(cut.events).toEqual(['updatestart', 'error', 'updateend']);
    expect(cut.calls.at(-1)).toMatch(/outside the mdat/);
    // The first trun's sample_count made huge.
    const counted = Buffer.from(segment);
    counted.writeUInt32BE(0x0fffffff, counted.indexOf('trun') + 8);
    outcomeIsConsistent(await appendAfterInit(counted));
    expect((await appendAfterInit(counted)).events[1]).toBe('error');
    // A box of size 4.
    const tiny = Buffer.from(segment);
    tiny.writeUInt32BE(4, 0);
    expect((await appendAfterInit(tiny)).events).toEqual(['updatestart', 'error', 'updateend']);
  });

  it('any byte of a media segment changed, any cut: updateend every time, the append error algorithm when it fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: 2047 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: segment.length }),
        async (changes, keep) => {
          // The moof (and the first bytes of the mdat) is where the structure is: change bytes there.
          const bytes = Buffer.from(segment.subarray(0, Math.max(keep, 8)));
          for (const { at, value } of changes) if (at < bytes.length) bytes[at] = value;
          outcomeIsConsistent(await appendAfterInit(bytes));
        },
      ),
      { numRuns: 150, seed: 12 },
    );
  });

  it('any byte of an init segment changed: the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ at: fc.nat({ max: init.length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 }), async (changes) => {
        const bytes = Buffer.from(init);
        for (const { at, value } of changes) bytes[at] = value;
        outcomeIsConsistent(await appendAfterInit(bytes, undefined));
      }),
      { numRuns: 150, seed: 21 },
    );
  });
});

describe("the append error's message", () => {
  it("is the bytes' own error for what the input caused, and names emekit's failure for anything else", async () => {
    const { appendErrorMessage } = await import('../../src/dom/mse/source-buffer-core.js');
    const { MediaError } = await import('../../src/media/errors.js');
    expect(appendErrorMessage(new MediaError('malformed', 'trun runs past its box', { box: 'trun' }))).toBe('trun: trun runs past its box');
    expect(appendErrorMessage(new MediaError('internal', 'a table went wrong'))).toBe('internal error: MediaError: a table went wrong');
    expect(appendErrorMessage(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe("internal error: TypeError: Cannot read properties of undefined (reading 'x')");
  });
});

// @vitest-environment jsdom
// In a DOM test environment (vitest's jsdom), the globals Uint8Array and ArrayBuffer are the window's, not those a
// Node Buffer is made of: media inputs given as bytes must still be read as bytes.
import { describe, expect, it } from 'vitest';
import { extractInitData, inspectMedia } from '../../src/media/index.js';
import { readFixture } from '../support/fixtures.js';

describe('media inputs under a DOM test environment', () => {
  it('reads a Node Buffer and a Uint8Array of another realm as bytes', async () => {
    const bytes = readFixture('cenc_mp4box.mp4');
    expect(bytes instanceof Uint8Array).toBe(false); // the environment's Uint8Array is not Node's
    expect((await extractInitData(bytes)).cenc.length).toBeGreaterThan(0);
    expect((await inspectMedia(new Uint8Array(bytes))).tracks.length).toBe(2);
  });
});

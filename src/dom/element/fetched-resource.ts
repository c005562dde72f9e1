// A plain media URL (not a MediaSource's): the element fetches it through the window (its fetch, else its
// XMLHttpRequest, so the host's origin and CORS rules apply) and plays the bytes through a MediaSource of the
// window, as one append of the whole file. That takes fragmented MP4 (the ISO BMFF byte stream format); a
// progressive MP4 (samples in the moov's tables) is reported as not supported.

import { readBox } from '../../media/boxes/box.js';
import type { HostWindow } from '../host-window.js';
import { initSegmentType } from '../mse/byte-stream.js';
import type { AttachedSource, MediaElementLink, MediaSourceRegistry } from '../media-source-link.js';

type Dom = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function attachFetched(window: HostWindow, registry: MediaSourceRegistry, url: string, link: MediaElementLink): AttachedSource | undefined {
  const MediaSource = window['MediaSource'] as (new () => Dom) | undefined;
  if (typeof MediaSource !== 'function') return undefined;
  const mediaSource = new MediaSource();
  const source = registry.attachObject(mediaSource, link);
  if (!source) return undefined;
  mediaSource.addEventListener(
    'sourceopen',
    () => {
      fetchBytes(window, url).then(
        (bytes) => {
          if (mediaSource.readyState !== 'open') return;
          if (!hasTopLevelBox(bytes, 'moof')) {
            link.networkError(`${url} is not a fragmented MP4: only fragmented MP4 plays from a URL here`);
            return;
          }
          // The codecs come from the file's own init segment (a bare 'video/mp4' names no decoder).
          const type = initSegmentType(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          let sourceBuffer: Dom;
          try {
            if (type === undefined) throw new Error('it has no readable initialization segment');
            sourceBuffer = mediaSource.addSourceBuffer(type);
          } catch (error) {
            link.networkError(`${url} cannot be played: ${(error as Error)?.message ?? String(error)}`);
            return;
          }
          sourceBuffer.addEventListener('updateend', () => mediaSource.readyState === 'open' && !sourceBuffer.updating && mediaSource.endOfStream(), { once: true });
          sourceBuffer.appendBuffer(bytes);
        },
        (error: unknown) => link.networkError(`${url} could not be fetched: ${(error as Error)?.message ?? String(error)}`),
      );
    },
    { once: true },
  );
  return source;
}

function fetchBytes(window: HostWindow, url: string): Promise<Uint8Array> {
  const fetch = window['fetch'] as ((url: string) => Promise<Dom>) | undefined;
  if (typeof fetch === 'function') {
    return fetch.call(window, url).then(async (response: Dom) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    });
  }
  const XHR = window['XMLHttpRequest'] as (new () => Dom) | undefined;
  if (typeof XHR !== 'function') return Promise.reject(new Error('the window has neither fetch nor XMLHttpRequest'));
  return new Promise((resolve, reject) => {
    const request = new XHR();
    request.open('GET', url);
    request.responseType = 'arraybuffer';
    request.onload = () => (request.status >= 200 && request.status < 300 ? resolve(new Uint8Array(request.response)) : reject(new Error(`HTTP ${request.status}`)));
    request.onerror = () => reject(new Error('network error'));
    request.send();
  });
}

function hasTopLevelBox(bytes: Uint8Array, type: string): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    for (let p = 0; p < buf.length; ) {
      const box = readBox({ buf, base: 0 }, p, buf.length, '');
      if (box.type === type) return true;
      p = box.end;
    }
  } catch {
    return false;
  }
  return false;
}

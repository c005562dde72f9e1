// A plain media URL (not a MediaSource's): the element fetches it through the window (its fetch, else its
// XMLHttpRequest, so the host's origin and CORS rules apply), and mse plays the bytes, a fragmented or a progressive
// MP4, through a MediaSource of its own (MediaSourceRegistry.attachFile).

import type { HostWindow } from '../host-window.js';
import type { AttachedSource, MediaElementLink, MediaSourceRegistry } from '../media-source-link.js';

type Dom = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function attachFetched(window: HostWindow, registry: MediaSourceRegistry, url: string, link: MediaElementLink): AttachedSource | undefined {
  const load = async () => {
    try {
      return await fetchBytes(window, url);
    } catch (error) {
      throw new Error(`${url} could not be fetched: ${(error as Error)?.message ?? String(error)}`);
    }
  };
  return registry.attachFile?.(load, link);
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

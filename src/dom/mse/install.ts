// Media Source Extensions on a host window (jsdom, happy-dom): MediaSource, SourceBuffer, SourceBufferList and
// TimeRanges as the window's own interfaces, URL.createObjectURL(mediaSource) / revokeObjectURL (the host's own
// kept for Blobs), and the registry through which the window's media elements attach a MediaSource.

import type { HostWindow } from '../host-window.js';
import type { MediaSourceRegistry } from '../media-source-link.js';
import { defineMediaSource } from './media-source.js';
import { defineSourceBufferList } from './source-buffer-list.js';
import { defineSourceBuffer } from './source-buffer.js';
import { windowContext, type MediaSourceOptions } from './window-context.js';

export type { MediaSourceOptions } from './window-context.js';

type ObjectUrlStatics = { createObjectURL?: (obj: unknown) => string; revokeObjectURL?: (url: string) => void };

const installed = new WeakMap<object, MediaSourceRegistry>();

/** Installs MSE on `window` (once per window: a second call returns the first registry). */
export function installMediaSource(window: HostWindow, options: MediaSourceOptions = {}): MediaSourceRegistry {
  const existing = installed.get(window);
  if (existing) return existing;
  const context = windowContext(window, options);
  const lists = defineSourceBufferList(context);
  const buffers = defineSourceBuffer(context);
  const sources = defineMediaSource(context, lists, buffers);
  const target = window as unknown as Record<string, unknown>;
  const define = (name: string, value: unknown) => Object.defineProperty(target, name, { value, configurable: true, writable: true, enumerable: false });
  define('MediaSource', sources.MediaSource);
  define('SourceBuffer', buffers.SourceBuffer);
  define('SourceBufferList', lists.SourceBufferList);
  define('TimeRanges', context.timeRanges.TimeRanges);

  // Object URLs: blob:<origin>/<uuid> for a MediaSource, as browsers mint them; everything else goes to the host.
  const urls = new Map<string, object>();
  const HostURL = window['URL'] as (typeof URL & ObjectUrlStatics) | undefined;
  const hostCreate = HostURL?.createObjectURL?.bind(HostURL);
  const hostRevoke = HostURL?.revokeObjectURL?.bind(HostURL);
  const origin = (() => {
    const location = window['location'] as { origin?: string } | undefined;
    return location?.origin && location.origin !== 'null' ? location.origin : 'null';
  })();
  const statics: Required<ObjectUrlStatics> = {
    createObjectURL(obj: unknown): string {
      if (sources.isMediaSource(obj)) {
        const url = `blob:${origin}/${crypto.randomUUID()}`;
        urls.set(url, obj as object);
        return url;
      }
      if (!hostCreate) throw new TypeError("Failed to execute 'createObjectURL' on 'URL': Overload resolution failed.");
      return hostCreate(obj);
    },
    revokeObjectURL(url: string): void {
      const text = String(url);
      if (urls.delete(text)) return;
      hostRevoke?.(text);
    },
  };
  if (HostURL && HostURL !== (globalThis.URL as unknown)) {
    for (const [name, fn] of Object.entries(statics)) Object.defineProperty(HostURL, name, { value: fn, configurable: true, writable: true });
  } else if (HostURL) {
    // The host shares Node's URL: a subclass for this window, so that Node's own URL is left alone.
    define('URL', Object.assign(class URL extends HostURL {}, statics));
  }

  const registry: MediaSourceRegistry = {
    attachUrl: (url, link) => sources.attach(urls.get(url), link),
    attachObject: (mediaSource, link) => sources.attach(mediaSource, link),
    isMediaSource: (value) => sources.isMediaSource(value),
    attachFile: (load, link) => sources.attachFile(load, link),
  };
  installed.set(window, registry);
  return registry;
}

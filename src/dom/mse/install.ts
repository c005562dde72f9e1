// Media Source Extensions on a host window (jsdom, happy-dom): MediaSource, SourceBuffer, SourceBufferList and
// TimeRanges as the window's own interfaces (replacing any the host has), URL.createObjectURL(mediaSource) / revokeObjectURL (the host's own
// kept for Blobs), and the registry through which the window's media elements attach a MediaSource.

import type { HostWindow } from '../host-window.js';
import type { MediaSourceRegistry } from '../media-source-link.js';
import { TimeRangesIdl } from '../time-ranges.js';
import { exposeInterface } from '../../webidl/expose.js';
import { attachFile, attachMediaSource, isMediaSourceOf, MediaSourceInterface } from './media-source.js';
import { SourceBufferListInterface } from './source-buffer-list.js';
import { SourceBufferInterface } from './source-buffer.js';
import { windowContext, type MediaSourceOptions } from './window-context.js';

export type { MediaSourceOptions } from './window-context.js';

type ObjectUrlStatics = { createObjectURL?: (obj: unknown) => string; revokeObjectURL?: (url: string) => void };

const installed = new WeakMap<object, MediaSourceRegistry>();

/** Installs MSE on `window` (once per window: a second call returns the first registry). */
export function installMediaSource(window: HostWindow, options: MediaSourceOptions = {}): MediaSourceRegistry {
  const existing = installed.get(window);
  if (existing) return existing;
  const context = windowContext(window, options);
  // TimeRanges too: SourceBuffer.buffered's (the element's install exposes it as well).
  for (const iface of [MediaSourceInterface, SourceBufferInterface, SourceBufferListInterface, TimeRangesIdl]) exposeInterface(context.realm, iface, true);
  const isMediaSource = (value: unknown) => isMediaSourceOf(context, value);

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
      if (isMediaSource(obj)) {
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
    Object.defineProperty(window, 'URL', { value: Object.assign(class URL extends HostURL {}, statics), configurable: true, writable: true, enumerable: false });
  }

  const registry: MediaSourceRegistry = {
    attachUrl: (url, link) => attachMediaSource(context, urls.get(url), link),
    attachObject: (mediaSource, link) => attachMediaSource(context, mediaSource, link),
    isMediaSource,
    attachFile: (load, link) => attachFile(context, load, link),
  };
  installed.set(window, registry);
  return registry;
}

// Which resource the element loads (HTML "resource selection algorithm", steps 5–9): the media provider object
// (srcObject), the src attribute, or the first usable <source> child; attached through mse's registry (a
// MediaSource object URL) or fetched (fetched-resource.ts).

import type { HostElement, HostWindow } from '../host-window.js';
import type { AttachedSource, MediaElementLink, MediaSourceRegistry } from '../media-source-link.js';
import { canPlayType } from './can-play-type.js';
import { attachFetched } from './fetched-resource.js';

export type Selection =
  /** Nothing to load (no srcObject, no src, no <source> child). */
  | { readonly kind: 'none' }
  | { readonly kind: 'attached'; readonly source: AttachedSource; readonly currentSrc: string }
  /** Mode object/attribute, and the resource cannot be used: the dedicated media source failure steps. */
  | { readonly kind: 'failed'; readonly message: string; readonly currentSrc: string }
  /** Mode children, and no child could be used: wait for another <source> (no error on the element). */
  | { readonly kind: 'waiting'; readonly currentSrc: string };

export interface SelectionRequest {
  readonly element: HostElement;
  readonly srcObject: unknown;
  readonly registry: MediaSourceRegistry | undefined;
  readonly link: MediaElementLink;
  readonly window: HostWindow;
  /** A <source> child that could not be used (HTML: fire error at it). */
  readonly sourceFailed: (child: HostElement) => void;
}

/** Whether resource selection has anything to look at (else networkState goes back to EMPTY). */
export function hasResource(element: HostElement, srcObject: unknown): boolean {
  return srcObject !== null || element.getAttribute('src') !== null || sourceChildren(element).length > 0;
}

export function selectResource({ element, srcObject, registry, link, sourceFailed, window }: SelectionRequest): Selection {
  // A MediaSource's object URL, else a media file fetched through the window.
  const attachUrl = (url: string) => registry?.attachUrl(url, link) ?? (registry && !url.startsWith('blob:') ? attachFetched(window, registry, url, link) : undefined);
  if (srcObject !== null) {
    const source = registry?.attachObject(srcObject, link);
    return source ? { kind: 'attached', source, currentSrc: '' } : { kind: 'failed', message: 'The media provider object is not a MediaSource of this window.', currentSrc: '' };
  }
  const src = element.getAttribute('src');
  if (src !== null) {
    const url = resolve(element, src);
    const source = url === undefined ? undefined : attachUrl(url);
    if (source) return { kind: 'attached', source, currentSrc: url! };
    return { kind: 'failed', message: `Cannot play ${JSON.stringify(src)}.`, currentSrc: url ?? '' };
  }
  const children = sourceChildren(element);
  if (children.length === 0) return { kind: 'none' };
  let currentSrc = '';
  for (const child of children) {
    const type = child.getAttribute('type');
    const url = resolve(element, child.getAttribute('src') ?? '');
    if (url !== undefined && !(type && canPlayType(type) === '')) {
      currentSrc = url;
      const source = attachUrl(url);
      if (source) return { kind: 'attached', source, currentSrc };
    }
    sourceFailed(child);
  }
  return { kind: 'waiting', currentSrc };
}

/** The element's <source> children, in tree order. */
function sourceChildren(element: HostElement): HostElement[] {
  const nodes = (element as unknown as { childNodes: ArrayLike<HostElement & { localName?: string }> }).childNodes;
  return Array.from(nodes).filter((node) => node.localName === 'source');
}

/** A URL relative to the document, or undefined when empty or unparsable. */
function resolve(element: HostElement, url: string): string | undefined {
  if (url === '') return undefined;
  try {
    return new URL(url, element.ownerDocument.baseURI).href;
  } catch {
    return undefined;
  }
}

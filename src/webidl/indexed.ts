// The supported property indices of a legacy platform object with an indexed getter (SourceBufferList, the track
// lists): WebIDL §3.9 reports each as an own data property { enumerable, configurable, not writable }; they are kept
// as such properties, redefined whenever the list changes.

/** Makes object's index properties 0 … items.length - 1 the items, removing those up to previousLength. */
export function setIndexedProperties(object: object, items: readonly unknown[], previousLength: number): void {
  for (let i = items.length; i < previousLength; i++) delete (object as Record<number, unknown>)[i];
  items.forEach((value, i) => Object.defineProperty(object, i, { value, writable: false, enumerable: true, configurable: true }));
}

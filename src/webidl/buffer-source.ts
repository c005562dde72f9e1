// BufferSource (ArrayBuffer or any ArrayBufferView) conversions. The spec asks for "a copy of the bytes held by"
// the buffer source at call time (callers slice() the view), so later changes by the caller cannot reach the CDM.

// An ArrayBuffer from another realm (vm context, worker transfer) fails instanceof but is still an ArrayBuffer.
function isForeignArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

function isShared(buffer: ArrayBufferLike): boolean {
  return Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]';
}

/**
 * Converts to a view of the caller's bytes without copying; TypeError for anything that is not a BufferSource,
 * and for a view of a SharedArrayBuffer: no EME argument is [AllowShared].
 */
export function viewOfBufferSource(value: unknown, context: string): Uint8Array {
  if (ArrayBuffer.isView(value)) {
    if (isShared(value.buffer)) throw new TypeError(`${context}: a view of a SharedArrayBuffer is not allowed`);
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer || isForeignArrayBuffer(value)) return new Uint8Array(value as ArrayBuffer);
  throw new TypeError(`${context}: value is not an ArrayBuffer or ArrayBufferView`);
}


/** A fresh ArrayBuffer holding exactly these bytes (for attributes typed ArrayBuffer). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

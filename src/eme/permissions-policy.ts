// Step 1 of requestMediaKeySystemAccess: is the global's document "allowed to use" the encrypted-media feature? Its
// default allowlist is 'self': a top-level document is allowed, a nested one only where its origin is its parent's.
// What a host lets us see of that is the origin a sandboxed frame gets: opaque, serialized "null" (window.origin),
// under a parent whose origin is not. Two opaque origins cannot be told apart by their serialization (an about:blank
// frame inherits its opaque parent's): allowed, as is a global that is not nested or has no origin (Node's own).

interface MaybeWindow {
  readonly origin?: unknown;
  readonly parent?: unknown;
}

export function allowedToUseEncryptedMedia(global: object): boolean {
  const { origin, parent } = global as MaybeWindow;
  const nested = typeof parent === 'object' && parent !== null && parent !== global;
  return !(nested && origin === 'null' && (parent as MaybeWindow).origin !== 'null');
}

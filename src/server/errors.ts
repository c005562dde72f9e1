// Errors with a meaning for callers: HTTP errors carry their status and a stable code for the JSON body;
// store errors let the CLI print a clear message instead of a stack trace.

/** An error the HTTP layer answers as `{ error: code, message }` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. WWW-Authenticate on 401. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The store was created with another master key (or none is configured). */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

/** A stored key failed authentication: the row was altered, swapped or written under another master key. */
export class KeyIntegrityError extends Error {
  override name = 'KeyIntegrityError';
}

/** A key with this key ID is already stored; keys are immutable so tokens and caches never see a key change. */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
}

/** The token's subject has as many license releases on record as the store keeps for one subject. */
export class ReleaseLimitError extends Error {
  override name = 'ReleaseLimitError';
}

// One error type for the media layer, so callers can branch on `code` and never see raw crashes.
export type MediaErrorCode =
  | 'not-protected'
  | 'missing-key'
  | 'malformed'
  | 'truncated'
  | 'unsupported-scheme'
  | 'unsupported-layout'
  | 'unsupported-codec'
  | 'wrong-key'
  | 'aborted'
  | 'io'
  /** A bug in emekit: the parser contract (src/media/boxes/box.ts) should have rejected the input. Please report it. */
  | 'internal';

export interface MediaErrorDetails {
  /** Box path, e.g. "moof/traf/senc", when the error is tied to a box. */
  box?: string;
  /** Absolute input offset of that box or field. */
  offset?: number;
  /** The field at fault, named as in ISO/IEC 14496-12 / 23001-7 (e.g. "sample_count"). */
  field?: string;
  trackId?: number;
  /** Key ID as 32 hex digits (never the key itself). */
  keyId?: string;
  sampleIndex?: number;
}

export class MediaError extends Error {
  readonly code: MediaErrorCode;
  readonly box: string | undefined;
  readonly offset: number | undefined;
  readonly field: string | undefined;
  readonly trackId: number | undefined;
  readonly keyId: string | undefined;
  readonly sampleIndex: number | undefined;

  constructor(code: MediaErrorCode, message: string, details: MediaErrorDetails = {}, options?: { cause?: unknown }) {
    const where = details.box !== undefined ? `${details.box}${details.offset !== undefined ? ` at offset ${details.offset}` : ''}: ` : '';
    super(`${where}${message}${details.field !== undefined ? ` (field ${details.field})` : ''}`, options);
    this.name = 'MediaError';
    this.code = code;
    this.box = details.box;
    this.offset = details.offset;
    this.field = details.field;
    this.trackId = details.trackId;
    this.keyId = details.keyId;
    this.sampleIndex = details.sampleIndex;
  }
}

/**
 * The last-resort guard of the pipelines: a RangeError from a read that the parser contract says cannot happen
 * (every length is checked before use) is a bug, and says so rather than passing for a 'malformed' input.
 */
export function asParserBug(e: unknown): unknown {
  if (!(e instanceof RangeError)) return e;
  return new MediaError('internal', `emekit bug: an unchecked read failed (${e.message}); please report it with the input`, {}, { cause: e });
}

export function malformed(box: string, offset: number, message: string): MediaError {
  return new MediaError('malformed', message, { box, offset });
}

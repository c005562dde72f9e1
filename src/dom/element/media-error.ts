// MediaError (HTML §4.8.11.1): the element's error attribute. One class for all windows: no host has its own.

const CODES = { MEDIA_ERR_ABORTED: 1, MEDIA_ERR_NETWORK: 2, MEDIA_ERR_DECODE: 3, MEDIA_ERR_SRC_NOT_SUPPORTED: 4 } as const;
export type MediaErrorCodeValue = (typeof CODES)[keyof typeof CODES];

let create: (code: MediaErrorCodeValue, message: string) => MediaError;

export class MediaError {
  static readonly MEDIA_ERR_ABORTED = 1;
  static readonly MEDIA_ERR_NETWORK = 2;
  static readonly MEDIA_ERR_DECODE = 3;
  static readonly MEDIA_ERR_SRC_NOT_SUPPORTED = 4;
  readonly #code: MediaErrorCodeValue;
  readonly #message: string;

  static {
    create = (code, message) => new MediaError(INTERNAL, code, message);
  }

  /** Not constructible from script, as in browsers. */
  constructor(token: unknown, code: MediaErrorCodeValue, message: string) {
    if (token !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#code = code;
    this.#message = message;
  }

  get code(): number {
    return this.#code;
  }

  get message(): string {
    return this.#message;
  }

  get [Symbol.toStringTag](): string {
    return 'MediaError';
  }
}

const INTERNAL = Symbol('MediaError');
for (const [name, value] of Object.entries(CODES)) Object.defineProperty(MediaError.prototype, name, { value, enumerable: true });

export function mediaError(code: MediaErrorCodeValue, message: string): MediaError {
  return create(code, message);
}

export const MEDIA_ERR = CODES;

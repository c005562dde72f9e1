// Key resolution for samples: caches lookups and turns a missing key into the caller's decision.
import { hex } from '../boxes/bytes.js';
import { MediaError } from '../errors.js';

/** Returns the 16-byte AES key for a 16-byte key ID, or undefined when it is not (yet) known. */
export type KeyLookup = (keyId: Uint8Array) => Uint8Array | undefined;

export interface MissingKeyInfo {
  /** 32 lowercase hex digits. */
  keyId: string;
  keyIdBytes: Uint8Array;
  trackId: number;
  sampleIndex: number;
}

/**
 * 'abort' (default): fail with MediaError code 'missing-key'.
 * 'retry': look the key up again (e.g. after a license arrived; the handler may await first).
 * 'skip': copy this and later samples under that key ID unchanged (still encrypted) and report them.
 */
export type MissingKeyAction = 'abort' | 'retry' | 'skip';
export type MissingKeyHandler = (info: MissingKeyInfo) => MissingKeyAction | Promise<MissingKeyAction>;

export class KeyResolver {
  private readonly byObject = new Map<Buffer, Buffer | null>();
  private readonly byHex = new Map<string, Buffer>();
  private readonly skipped = new Set<string>();

  constructor(
    private readonly lookup: KeyLookup,
    private readonly onMissing: MissingKeyHandler | undefined,
  ) {}

  get missingKeyIds(): string[] {
    return [...this.skipped];
  }

  /**
   * The key, or null when the sample must be left as is ('skip'): synchronously when it is cached or the
   * lookup knows it, as a promise only when the missing-key handler has to be asked.
   */
  resolve(keyId: Buffer, trackId: number, sampleIndex: number): Buffer | null | Promise<Buffer | null> {
    const cached = this.byObject.get(keyId);
    if (cached !== undefined) return cached;
    const id = hex(keyId);
    let key: Buffer | null | undefined = this.byHex.get(id);
    if (key === undefined && this.skipped.has(id)) key = null;
    if (key === undefined) {
      const k = this.lookup(keyId);
      if (k === undefined) return this.miss(keyId, id, trackId, sampleIndex);
      if (k.length !== 16) throw new MediaError('wrong-key', `key for key ID ${id} is ${k.length} bytes, AES-128 needs 16`, { keyId: id, trackId });
      key = Buffer.from(k);
      this.byHex.set(id, key);
    }
    this.byObject.set(keyId, key);
    return key;
  }

  /** A key that resolve() has settled: the key, or null for 'skip'. */
  resolved(keyId: Buffer): Buffer | null {
    const key = this.byObject.get(keyId);
    if (key === undefined) throw new Error(`internal: key ID ${hex(keyId)} used before it was resolved`);
    return key;
  }

  /** After a failed lookup: asks the missing-key handler until it skips, aborts, or a retried lookup succeeds. */
  private async miss(keyId: Buffer, id: string, trackId: number, sampleIndex: number): Promise<Buffer | null> {
    let key: Buffer | null;
    for (;;) {
      const action = this.onMissing ? await this.onMissing({ keyId: id, keyIdBytes: Buffer.from(keyId), trackId, sampleIndex }) : 'abort';
      if (action === 'skip') {
        this.skipped.add(id);
        key = null;
        break;
      }
      if (action !== 'retry') {
        throw new MediaError('missing-key', `no key for key ID ${id} (track ${trackId}, sample ${sampleIndex})`, { keyId: id, trackId, sampleIndex });
      }
      const k = this.lookup(keyId);
      if (k !== undefined) {
        if (k.length !== 16) throw new MediaError('wrong-key', `key for key ID ${id} is ${k.length} bytes, AES-128 needs 16`, { keyId: id, trackId });
        key = Buffer.from(k);
        this.byHex.set(id, key);
        break;
      }
    }
    this.byObject.set(keyId, key);
    return key;
  }
}

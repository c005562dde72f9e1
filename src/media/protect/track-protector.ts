// Encrypting one track's samples in place, per ISO/IEC 23001-7: subsamples for AVC/HEVC, whole samples for audio,
// IVs per sample, the bytes through a SampleCipher (cenc/cipher.ts) that batches many samples' cipher calls;
// returns each sample's senc entry.
import { children } from '../boxes/box.js';
import type { BoxContext } from '../boxes/box.js';
import type { SampleCrypto } from '../boxes/job.js';
import type { TrackInfo } from '../boxes/movie.js';
import type { SampleEntryInfo, Scheme } from '../boxes/protection.js';
import type { SampleCipher } from '../cenc/cipher.js';
import { ivSource, type IvOptions, type IvSource } from '../cenc/ivs.js';
import { AvcSliceHeaders } from '../cenc/avc-slice.js';
import { HevcSliceHeaders } from '../cenc/hevc-slice.js';
import { capSubsamples, maxSubsamplePairs, nalSubsamples, type NalLayout } from '../cenc/subsamples.js';
import { MediaError } from '../errors.js';
import type { AuxEntryList, TrackProtection } from '../write/protection.js';

export interface ContentKey {
  keyId: Buffer;
  key: Buffer;
}

export interface TrackProtectorOptions {
  scheme: Scheme;
  key: ContentKey;
  /** Default: random 8-byte IVs for cenc/cens, random 16-byte for cbc1, a random constant IV for cbcs. */
  iv?: IvOptions;
  /** Video pattern for cbcs and cens (default 1:9); audio is never patterned. */
  pattern?: { crypt: number; skip: number };
  /** 'nal' (default): AVC/HEVC subsamples; 'whole': every video sample one protected range (tests only). */
  videoLayout?: 'nal' | 'whole';
}

const NAL_VIDEO = new Set(['avc1', 'avc3', 'hvc1', 'hev1']);
const WHOLE_SAMPLE_AUDIO = new Set(['mp4a', 'ac-3', 'ec-3', 'Opus']);
export const ENCRYPTABLE_CODECS = [...NAL_VIDEO, ...WHOLE_SAMPLE_AUDIO];

export function defaultIv(scheme: Scheme): IvOptions {
  if (scheme === 'cbcs') return { constant: Buffer.from(ivSource({ size: 16 }).next()) };
  return { size: scheme === 'cbc1' ? 16 : 8 };
}

/** The payload of a sample entry's decoder configuration box (avcC, hvcC). */
function configRecord(ctx: BoxContext, entry: SampleEntryInfo, type: string): Buffer | undefined {
  if (entry.childSkip === undefined) return undefined;
  const b = children(ctx, entry.box, entry.childSkip).find((k) => k.type === type);
  return b && ctx.buf.subarray(b.start + b.headerSize, b.end);
}

export class TrackProtector {
  readonly video: boolean;
  readonly subsampled: boolean;
  protection: TrackProtection;
  /** Keys rotate: each fragment states its key ID in a seig sample group. */
  rotated = false;
  private readonly ivs: IvSource;
  private key: ContentKey;
  /** AVC/HEVC: slice headers stay clear (ISO/IEC 23001-7 9.5.2.2; for cbcs on AVC GPAC's layout exactly). */
  private readonly layout: NalLayout | undefined;
  /** Slices whose header could not be measured, by reason (they were protected in whole blocks after the NAL header). */
  private readonly unknownHeaders = new Map<string, number>();

  constructor(ctx: BoxContext, readonly track: TrackInfo, readonly entry: SampleEntryInfo, o: TrackProtectorOptions) {
    if (entry.protected) {
      throw new MediaError('unsupported-layout', `track ${track.id} is already protected (${entry.scheme ?? 'unknown scheme'})`, { trackId: track.id, box: entry.box.path });
    }
    const format = entry.originalFormat;
    this.video = NAL_VIDEO.has(format);
    if (!this.video && !WHOLE_SAMPLE_AUDIO.has(format)) {
      throw new MediaError('unsupported-codec', `track ${track.id}: codec '${format}' is not covered by emekit's encryptor (supported: ${ENCRYPTABLE_CODECS.join(', ')})`, {
        trackId: track.id,
        box: entry.box.path,
      });
    }
    if (this.video && entry.nalLengthSize === undefined) {
      throw new MediaError('malformed', `track ${track.id}: ${format} sample entry without a usable avcC/hvcC`, { trackId: track.id, box: entry.box.path });
    }
    const hevc = format.startsWith('hv') || format.startsWith('he');
    this.subsampled = this.video && o.videoLayout !== 'whole';
    if (this.subsampled) {
      const config = configRecord(ctx, entry, hevc ? 'hvcC' : 'avcC') ?? Buffer.alloc(0);
      this.layout = {
        lengthSize: entry.nalLengthSize!,
        hevc,
        wholeBlocks: o.scheme !== 'cbcs',
        slices: hevc ? new HevcSliceHeaders(config) : new AvcSliceHeaders(config),
        unknownHeader: (reason) => this.unknownHeaders.set(reason, (this.unknownHeaders.get(reason) ?? 0) + 1),
      };
    }
    this.ivs = ivSource(o.iv ?? defaultIv(o.scheme));
    if (o.scheme === 'cbcs' && this.ivs.size !== 0 && this.ivs.size !== 16) throw new MediaError('unsupported-layout', 'cbcs takes 16-byte IVs');
    const patterned = o.scheme === 'cbcs' || o.scheme === 'cens';
    const pattern = patterned && this.video ? (o.pattern ?? { crypt: 1, skip: 9 }) : { crypt: 0, skip: 0 };
    this.key = o.key;
    this.protection = {
      scheme: o.scheme,
      keyId: o.key.keyId,
      ivSize: this.ivs.size,
      constantIv: this.ivs.constant,
      cryptBlocks: pattern.crypt,
      skipBlocks: pattern.skip,
    };
  }

  private readonly where = (): string => `track ${this.track.id}`;

  get keyId(): Buffer {
    return this.key.keyId;
  }

  /** A new key from here on (key rotation). */
  rotate(key: ContentKey): void {
    this.key = key;
    this.rotated = true;
    this.protection = { ...this.protection, keyId: key.keyId };
  }

  /**
   * Encrypts buf[off, off+size) in place through `cipher` (an encrypting SampleCipher: the bytes are final after
   * its next flush()); appends the sample's senc entry to `entries`.
   */
  protect(buf: Buffer, off: number, size: number, cipher: SampleCipher, entries: AuxEntryList): void {
    cipher.add(buf, off, size, this.prepare(buf, off, size, entries), this.key.key, this.where);
  }

  /**
   * The next sample's IV and its subsamples (from its bytes at buf[off, off+size), read only for AVC/HEVC), its
   * senc entry appended to `entries`, without encrypting it: for a writer that encrypts the sample later (with `key`).
   */
  prepare(buf: Buffer, off: number, size: number, entries: AuxEntryList): SampleCrypto {
    const iv = this.ivs.next();
    const subsamples = this.layout ? capSubsamples(nalSubsamples(buf, off, size, this.layout), maxSubsamplePairs(this.ivs.size)) : undefined;
    const p = this.protection;
    entries.add(iv, this.ivs.size, subsamples);
    return {
      scheme: p.scheme,
      keyId: this.key.keyId,
      iv,
      subsamples,
      cryptBlocks: p.cryptBlocks,
      skipBlocks: p.skipBlocks,
      nalLengthSize: undefined,
    };
  }

  /**
   * One line per reason some slices' headers could not be measured (those slices were protected in whole blocks
   * from their NAL header on, so part of their header may be encrypted); empty when every slice header stayed clear.
   */
  layoutNotes(): string[] {
    return [...this.unknownHeaders].map(([reason, n]) => `${n} slice${n === 1 ? '' : 's'} protected from the NAL header on (${reason})`);
  }

  /** The current key. */
  get contentKey(): Buffer {
    return this.key.key;
  }
}

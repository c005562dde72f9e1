// How many samples a parse may create: each one must be backed by bytes of the input, so that the work and the
// memory spent on sample tables and jobs stay within a constant times the input's size (see box.ts).
import { MediaError } from '../errors.js';

/**
 * Samples read from a stream may run this far ahead of the bytes read so far (a stream's size is unknown, and a
 * fragment's samples lie in the mdat that follows its moof): at ~100 bytes of bookkeeping a sample, ~25 MB.
 */
export const STREAM_SAMPLE_ALLOWANCE = 1 << 18;

export interface CountField {
  /** Box path, e.g. "moof/traf/trun". */
  box: string;
  /** Absolute input offset of the box. */
  offset: number;
  /** Field name as in ISO/IEC 14496-12, e.g. "sample_count". */
  field: string;
}

/**
 * Counts of samples that no bytes of their own box back (a trun without per-sample fields, an stsz with one
 * sample size): each such sample claims its size in bytes (at least one), and all claims of one input together
 * must fit in it. Samples whose entries are stored in a box are backed by those bytes and claim nothing.
 */
export class SampleBudget {
  private bytes = 0;
  private samples = 0;

  private constructor(
    private readonly size: number | undefined,
    private readonly position: () => number,
  ) {}

  /** An input of known size. */
  static ofSize(size: number): SampleBudget {
    return new SampleBudget(size, () => size);
  }

  /** An input of known size, or a stream read up to `position()`. */
  static of(size: number | undefined, position: () => number): SampleBudget {
    return new SampleBudget(size, position);
  }

  claim(count: number, bytesEach: number, at: CountField): void {
    const bytes = count * Math.max(1, bytesEach);
    const fits = this.size !== undefined ? this.bytes + bytes <= this.size : this.samples + count <= this.position() + STREAM_SAMPLE_ALLOWANCE;
    if (!fits) {
      const room = this.size !== undefined ? `the ${this.size}-byte input` : 'the stream read so far';
      throw new MediaError('malformed', `${count} samples of ${bytesEach} bytes each are more than ${room} can hold`, at);
    }
    this.bytes += bytes;
    this.samples += count;
  }
}

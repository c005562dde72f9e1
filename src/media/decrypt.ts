// decryptMedia: one sequential pass over the top-level boxes, rewriting moov/moof and decrypting samples as mdat streams by.
import { children } from './boxes/box.js';
import { SampleCipher } from './cenc/cipher.js';
import { clearMovie } from './write/clear-movie.js';
import { asParserBug, MediaError } from './errors.js';
import { parseFragment } from './boxes/fragment.js';
import { openSink, openSource } from './io/io.js';
import { MAX_BOX_IN_MEMORY, readTopBox, readTopBoxAt, readWholeBox } from './io/top-box.js';
import type { MediaInput, MediaOutput, Sink, Source } from './io/io.js';
import type { SampleJob } from './boxes/job.js';
import { KeyResolver } from './cenc/keys.js';
import type { KeyLookup, MissingKeyHandler } from './cenc/keys.js';
import { ArrayLane, LaneSet, progressiveLane } from './io/lanes.js';
import { parseMovie } from './boxes/movie.js';
import { SlabRing } from './io/slabs.js';
import type { Movie } from './boxes/movie.js';
import { psshRuns } from './boxes/protection.js';
import type { Scheme } from './boxes/protection.js';
import { checkNalSample } from './cenc/verify.js';
import { SampleBudget } from './boxes/budget.js';

export interface DecryptOptions {
  keys: KeyLookup;
  onProgress?(bytesRead: number, totalBytes?: number): void;
  /** Called when a sample's key is unknown; default is to fail with code 'missing-key'. */
  onMissingKey?: MissingKeyHandler;
  /**
   * Check decrypted AVC/HEVC samples for NAL validity to catch wrong keys (default true): each track's first
   * 32 samples, then one in 8.
   */
  verify?: boolean;
  signal?: AbortSignal;
  /**
   * Read and write file paths with blocking calls on this thread rather than through libuv's thread pool:
   * faster where a hand-off to a pool thread is dear (small VMs), at the cost of blocking the event loop
   * for a few slabs' reading, decrypting and writing at a time. The emekit CLI turns it on.
   */
  blockingIo?: boolean;
  /** Slab size: read/write granularity in bytes (default 1 MiB; reads run a few slabs ahead). */
  chunkSize?: number;
  /**
   * Called with the 'cenc' init data of each run of adjacent pssh boxes as decryption meets it: the moov's before
   * any sample, then each moof's before that fragment's samples (EME's Initialization Data Encountered).
   */
  onInitData?(found: EncounteredInitData): void;
  /**
   * Called once the moov shows a protected track, after its init data and before any sample is read (EME's Media
   * Data May Contain Encrypted Blocks); decryption waits for a promise it returns.
   */
  onProtectedMedia?(): void | Promise<void>;
}

export interface EncounteredInitData {
  initDataType: 'cenc';
  /** One or more pssh boxes, as stored. */
  initData: Buffer;
  /** The box that holds them, and its offset in the input. */
  box: 'moov' | 'moof';
  offset: number;
}

export interface TrackReport {
  trackId: number;
  handler: string;
  /** Codec fourcc restored from frma (e.g. avc1, mp4a). */
  originalFormat: string;
  scheme: Scheme | undefined;
  keyIds: string[];
  samples: number;
  samplesDecrypted: number;
  samplesClear: number;
  samplesSkipped: number;
}

export interface DecryptReport {
  fragmented: boolean;
  tracks: TrackReport[];
  schemes: Scheme[];
  samplesDecrypted: number;
  samplesClear: number;
  /** Left encrypted because their key was missing and onMissingKey chose 'skip'. */
  samplesSkipped: number;
  missingKeyIds: string[];
  bytesRead: number;
  bytesWritten: number;
}

/** Top-level boxes whose byte offsets into the file would be stale after moofs shrink. */
const DROP_WHEN_FRAGMENTED = new Set(['sidx', 'ssix', 'mfra', 'pssh']);

/** Pieces whose reads run ahead while the current one is decrypted and written (file inputs). */
const READ_AHEAD = 2;
/** Slabs: the pieces read ahead, the one being decrypted, and those the sink is still writing. */
const SLABS = READ_AHEAD + 4;
/** Smallest slab: below this, the decryptor's fixed working areas cost more than the slabs. */
const MIN_SLAB = 16 * 1024;

/**
 * With blocking I/O, pieces between two turns of the event loop: ~16 MiB, a few tens of milliseconds. A turn
 * costs ~0.1 ms here (the loop polls for I/O), so every piece would cost more than it gives.
 */
const YIELD_EVERY = 16;

/** The wrong-key check looks at every sample of a track up to this index, then at one in VERIFY_EVERY. */
const VERIFY_ALL_FIRST = 32;
const VERIFY_EVERY = 8;

/** A run of input bytes (whole samples) on its way through one slab. */
interface Piece {
  start: number;
  len: number;
  buf: Buffer;
  jobs: SampleJob[];
  /** Bytes read (fewer than len only at the end of the input). */
  got: Promise<number>;
}

class Run {
  movie: Movie | undefined;
  clearMoov: Buffer | undefined;
  readonly lanes = new LaneSet();
  readonly counters = new Map<number, number>();
  /** Every sample table and fragment of the input draws on it (see SampleBudget). */
  private readonly budget: SampleBudget;
  readonly report: DecryptReport = {
    fragmented: false,
    tracks: [],
    schemes: [],
    samplesDecrypted: 0,
    samplesClear: 0,
    samplesSkipped: 0,
    missingKeyIds: [],
    bytesRead: 0,
    bytesWritten: 0,
  };
  private readonly keys: KeyResolver;
  private readonly ring: SlabRing;
  private readonly tracks = new Map<number, TrackReport>();
  /** Made with the first slab: inputs that fail before their data (most hostile ones) never pay for its memory. */
  private cipher: SampleCipher | undefined;
  private piecesSinceYield = 0;
  /** A sample taken from the lanes but left for the next piece of the mdat. */
  private held: SampleJob | undefined;
  private readonly keyHex = new Map<Buffer, string>();
  /** The sample being handed to the cipher, named by whereCurrent in its error messages. */
  private current: SampleJob | undefined;
  private readonly whereCurrent = (): string => (this.current ? where(this.current) : 'sample');

  constructor(
    private readonly src: Source,
    private readonly sink: Sink,
    private readonly opts: DecryptOptions,
  ) {
    this.keys = new KeyResolver(opts.keys, opts.onMissingKey);
    this.budget = SampleBudget.of(src.size, () => src.position);
    // No piece is larger than the input (a larger sample fails the budget first), so a small input gets small slabs.
    const slabSize = src.size === undefined ? chunkSize(opts) : Math.min(chunkSize(opts), Math.max(MIN_SLAB, src.size));
    // The slabs live in the decryptor's memory, where its per-block loops reach the samples where they lie.
    this.ring = new SlabRing(slabSize, SLABS, () => sink.flush(), (n) => this.decryptor().allocate(n));
  }

  /** Gives the cipher's memory back for the next run, unless a slab of it may still be read into or written. */
  dispose(): void {
    if (this.cipher && this.ring.allBack()) this.cipher.recycle();
    this.cipher = undefined;
  }

  private decryptor(): SampleCipher {
    return (this.cipher ??= new SampleCipher('decrypt', SLABS * this.ring.slabSize));
  }

  private progress(position = this.src.position): void {
    this.opts.onProgress?.(position, this.src.size);
    if (this.opts.signal?.aborted) throw new MediaError('aborted', 'decryption aborted');
  }

  private async write(buf: Buffer, done?: () => void): Promise<void> {
    await this.sink.write(buf, done);
  }

  /** Track bookkeeping and the clear moov, from the moov bytes at `start`. */
  private async useMovie(buf: Buffer, start: number): Promise<void> {
    const movie = parseMovie(buf, start);
    if (!movie.tracks.some((t) => t.entries.some((e) => e.protected))) {
      throw new MediaError('not-protected', 'no track has a protected sample entry (encv/enca with sinf)', { box: 'moov', offset: start });
    }
    this.movie = movie;
    this.report.fragmented = movie.fragmented;
    for (const t of movie.tracks) {
      const prot = t.entries.find((e) => e.protected);
      const scheme = prot?.scheme as Scheme | undefined;
      const tr: TrackReport = {
        trackId: t.id,
        handler: t.handler,
        originalFormat: (prot ?? t.entries[0])?.originalFormat ?? '',
        scheme,
        keyIds: [],
        samples: 0,
        samplesDecrypted: 0,
        samplesClear: 0,
        samplesSkipped: 0,
      };
      this.tracks.set(t.id, tr);
      this.report.tracks.push(tr);
      if (scheme && !this.report.schemes.includes(scheme)) this.report.schemes.push(scheme);
      this.lanes.add(await progressiveLane(movie, t, this.src, this.budget));
    }
    this.reportInitData('moov', start, () => psshRuns(movie.ctx, children(movie.ctx, movie.moov)));
    await this.opts.onProtectedMedia?.();
    // Data after the moov moves by as much as the moov shrinks.
    const moovEnd = start + buf.length;
    this.clearMoov = clearMovie(movie, (o, change) => (o >= moovEnd ? o + change : o));
  }

  /** Hands each run of pssh boxes in the moov or a moof to onInitData; the runs are worked out only when it is set. */
  private reportInitData(box: 'moov' | 'moof', offset: number, runs: () => Buffer[]): void {
    const { onInitData } = this.opts;
    if (onInitData) for (const initData of runs()) onInitData({ initDataType: 'cenc', initData, box, offset });
  }

  /** moov after mdat: find it by header hopping, which needs random access. */
  private async prescanMovie(from: number): Promise<void> {
    if (!this.src.seekable || this.src.size === undefined) {
      throw new MediaError('unsupported-layout', 'moov comes after mdat; decrypting this layout needs a file path or bytes, not a stream', { box: 'mdat', offset: from });
    }
    let pos = from;
    while (pos < this.src.size) {
      const box = await readTopBoxAt(this.src, pos);
      if (!box) break;
      if (box.type === 'moov') {
        if (box.size > MAX_BOX_IN_MEMORY) throw new MediaError('unsupported-layout', `${box.size}-byte box is too large to hold in memory`, { box: 'moov', offset: pos, field: 'size' });
        await this.useMovie(await this.src.readAt(pos, box.size), pos);
        return;
      }
      pos += box.size;
    }
    throw new MediaError('malformed', 'no moov box in the file', { box: 'file', offset: 0 });
  }

  private hexOf(keyId: Buffer): string {
    let h = this.keyHex.get(keyId);
    if (h === undefined) {
      h = keyId.toString('hex');
      this.keyHex.set(keyId, h);
    }
    return h;
  }

  /**
   * Resolves the key of every sample in `batch` before any is decrypted, so that decrypting never waits:
   * a promise only when a key is missing and the missing-key handler has to be asked.
   */
  private keysFor(batch: SampleJob[]): Promise<void> | undefined {
    let keyId: Buffer | undefined;
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i]!;
      const c = job.crypto;
      if (!c || c.keyId === keyId) continue;
      keyId = c.keyId;
      const k = this.keys.resolve(c.keyId, job.trackId, job.sampleIndex);
      if (k instanceof Promise) return k.then(() => this.keysFor(batch.slice(i + 1)));
    }
    return undefined;
  }

  /**
   * Decrypts (in place) and checks every sample of `batch`, which lie in buf (buf[0] = input offset `pos`);
   * their keys are resolved (keysFor). Synchronous, and kept apart from the loop that drives it: it runs for
   * every piece from a cold start, and an async function with loops costs V8 several times more to optimize.
   */
  private decryptBatch(buf: Buffer, pos: number, batch: SampleJob[]): void {
    const done: SampleJob[] = [];
    // Consecutive samples nearly always share a track and a key ID: look those up only when they change.
    let tr: TrackReport | undefined;
    let trackId = -1;
    let keyId: Buffer | undefined;
    let key: Buffer | null = null;
    // Indexed loops here and below: they run in V8's baseline tiers, where for...of allocates per element.
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i]!;
      if (job.trackId !== trackId) {
        trackId = job.trackId;
        tr = this.tracks.get(trackId);
        keyId = undefined;
      }
      if (tr) tr.samples++;
      const c = job.crypto;
      if (!c) {
        if (tr) tr.samplesClear++;
        this.report.samplesClear++;
        continue;
      }
      if (c.keyId !== keyId) {
        keyId = c.keyId;
        key = this.keys.resolved(keyId);
        if (tr) {
          const id = this.hexOf(keyId);
          if (!tr.keyIds.includes(id)) tr.keyIds.push(id);
        }
      }
      if (key === null) {
        if (tr) tr.samplesSkipped++;
        this.report.samplesSkipped++;
        continue;
      }
      this.current = job;
      this.decryptor().add(buf, job.offset - pos, job.size, c, key, this.whereCurrent);
      done.push(job);
      // Counted now: a sample that fails the check below fails the whole run, report and all.
      if (tr) tr.samplesDecrypted++;
    }
    this.cipher?.flush();
    if (this.opts.verify !== false) this.verify(buf, pos, done);
    this.report.samplesDecrypted += done.length;
  }

  /**
   * The wrong-key check on decrypted AVC/HEVC samples (see verify.ts): every one of a track's first samples,
   * then one in VERIFY_EVERY. A wrong key garbles every sample it decrypts, so it shows in the first few; the
   * sparse checks after that catch a key that changes (rotation) to a wrong one within VERIFY_EVERY samples.
   */
  private verify(buf: Buffer, pos: number, done: SampleJob[]): void {
    for (let i = 0; i < done.length; i++) {
      const job = done[i]!;
      const c = job.crypto!;
      if (c.nalLengthSize === undefined) continue;
      if (job.sampleIndex >= VERIFY_ALL_FIRST && job.sampleIndex % VERIFY_EVERY !== 0) continue;
      const why = checkNalSample(buf, job.offset - pos, job.size, c.nalLengthSize, c.subsamples === undefined || (c.subsamples[0] ?? 0) < c.nalLengthSize, c.subsamples);
      if (why) {
        const format = this.tracks.get(job.trackId)?.originalFormat ?? 'NAL';
        throw new MediaError('wrong-key', `${where(job)}: decrypted data is not valid ${format} (${why}); the key for key ID ${c.keyId.toString('hex')} is probably wrong`, {
          keyId: c.keyId.toString('hex'),
          trackId: job.trackId,
          sampleIndex: job.sampleIndex,
        });
      }
    }
  }

  /** The next sample in file order (the held one first) if it starts before `limit`. */
  private takeJobBefore(limit: number): SampleJob | undefined {
    const h = this.held;
    if (!h) return this.lanes.takeBefore(limit);
    if (h.offset >= limit) return undefined;
    this.held = undefined;
    return h;
  }

  /**
   * Plans the piece of input that starts at `from` (the source's position): whole samples only, at most a
   * slab unless a single sample is larger, ending before a sample that would not fit. Starts its read.
   */
  private nextPiece(from: number, end: number, inMdat: boolean): Piece | Promise<Piece> {
    let stop = Math.min(end, from + this.ring.slabSize);
    const jobs: SampleJob[] = [];
    let maxEnd = from;
    for (let job = inMdat ? this.takeJobBefore(stop) : undefined; job; job = this.takeJobBefore(stop)) {
      if (job.offset < from) {
        throw new MediaError('malformed', `track ${job.trackId} sample ${job.sampleIndex} at offset ${job.offset} lies outside an mdat or overlaps data already written`, { trackId: job.trackId, sampleIndex: job.sampleIndex });
      }
      const jobEnd = job.offset + job.size;
      if (jobEnd > end) {
        const code = end === Infinity || this.src.size === undefined || jobEnd <= this.src.size ? 'malformed' : 'truncated';
        throw new MediaError(code, `track ${job.trackId} sample ${job.sampleIndex} (${job.size} bytes at ${job.offset}) runs past the end of its mdat at ${end}`, { trackId: job.trackId, sampleIndex: job.sampleIndex });
      }
      if (jobEnd > stop) {
        if (job.offset > from && job.offset >= maxEnd) {
          // Starts in this piece but ends beyond it: leave it for the next piece, which starts with it.
          this.held = job;
          stop = job.offset;
          break;
        }
        stop = jobEnd;
      }
      if (jobEnd > maxEnd) maxEnd = jobEnd;
      jobs.push(job);
    }
    const len = stop - from;
    if (len > MAX_BOX_IN_MEMORY) {
      throw new MediaError('unsupported-layout', `a ${len}-byte sample is too large to hold in memory`, { box: 'mdat', offset: from });
    }
    // Synchronous unless every slab is out: like decryptBatch, this runs per piece from a cold start.
    const slab = this.ring.acquire(len);
    const read = (buf: Buffer): Piece => ({ start: from, len, buf, jobs, got: this.src.readInto(buf, len) });
    return slab instanceof Promise ? slab.then(read) : read(slab);
  }

  /**
   * Copies input up to `end`, decrypting every sample that lies there. Samples may not straddle `end`.
   * Pieces of whole samples are read into slabs a few ahead (file inputs), decrypted in place and written
   * from the same slab, which goes back to the ring once written.
   */
  private async stream(end: number, inMdat: boolean): Promise<void> {
    // Reading ahead only helps when reads run elsewhere while this thread decrypts.
    const depth = this.src.seekable && !this.opts.blockingIo ? READ_AHEAD : 1;
    const ahead: Piece[] = [];
    let next = this.src.position;
    while (next < end || ahead.length > 0) {
      while (ahead.length < depth && next < end) {
        const planned = this.nextPiece(next, end, inMdat);
        const p = planned instanceof Promise ? await planned : planned;
        ahead.push(p);
        next = p.start + p.len;
      }
      const piece = ahead.shift()!;
      const n = await piece.got;
      if (n < piece.len) {
        const cut = piece.jobs.find((j) => j.offset + j.size > piece.start + n);
        if (end !== Infinity || cut) {
          throw new MediaError('truncated', `file ends at ${piece.start + n}, inside ${cut ? `track ${cut.trackId} sample ${cut.sampleIndex}` : 'a box'}`, { box: 'mdat', offset: piece.start });
        }
      }
      if (piece.jobs.length > 0) {
        const waiting = this.keysFor(piece.jobs);
        if (waiting) await waiting;
        this.decryptBatch(piece.buf, piece.start, piece.jobs);
      }
      const slab = piece.buf;
      if (n === 0) this.ring.release(slab);
      else if (this.sink.keepsBuffers) {
        // A stream may hold on to what it is given: it gets a copy, and the slab stays in the ring.
        const copy = Buffer.from(slab.subarray(0, n));
        this.ring.release(slab);
        await this.write(copy);
      } else await this.write(slab.subarray(0, n), () => this.ring.release(slab));
      // Blocking I/O never waits, so nothing else would run (timers, an abort, a progress display) until the
      // end: let the event loop turn every few pieces.
      if (this.opts.blockingIo && ++this.piecesSinceYield >= YIELD_EVERY) {
        this.piecesSinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      this.progress(piece.start + n);
      if (n < piece.len) break;
    }
  }

  async run(): Promise<DecryptReport> {
    for (;;) {
      const box = await readTopBox(this.src);
      if (!box) break;
      const end = box.start + box.size;
      if (box.type === 'moov') {
        if (this.clearMoov && this.movie) {
          await this.src.skip(box.size - box.header.length);
          if (this.src.position < end) throw new MediaError('truncated', 'file ends inside moov', { box: 'moov', offset: box.start });
        } else {
          await this.useMovie(await readWholeBox(this.src, box), box.start);
        }
        await this.write(this.clearMoov!);
      } else if (box.type === 'moof') {
        if (!this.movie) throw new MediaError('malformed', 'moof before moov', { box: 'moof', offset: box.start });
        const buf = await readWholeBox(this.src, box);
        const frag = parseFragment(this.movie, buf, box.start, this.counters, this.budget);
        this.reportInitData('moof', box.start, frag.initData);
        const deltaAfter = this.sink.position + frag.newSize - end;
        await this.write(frag.build(deltaAfter));
        this.lanes.add(new ArrayLane(frag.jobs));
      } else if (this.movie?.fragmented && DROP_WHEN_FRAGMENTED.has(box.type)) {
        await this.src.skip(box.size - box.header.length);
      } else {
        if (box.type === 'mdat' && !this.movie) await this.prescanMovie(box.start);
        await this.write(box.header);
        await this.stream(end, box.type === 'mdat');
      }
      this.progress();
    }
    if (!this.movie) throw new MediaError('malformed', 'no moov box in the input', { box: 'file', offset: 0 });
    const left = this.lanes.remaining();
    if (left > 0) {
      throw new MediaError('truncated', `${left} samples point past the end of the input or outside any mdat`, { box: 'file', offset: this.src.position });
    }
    this.report.missingKeyIds = this.keys.missingKeyIds;
    this.report.bytesRead = this.src.position;
    this.report.bytesWritten = this.sink.position;
    return this.report;
  }
}

function where(job: SampleJob): string {
  return `track ${job.trackId} sample ${job.sampleIndex} at offset ${job.offset}`;
}

function chunkSize(opts: DecryptOptions): number {
  return Math.max(64 * 1024, opts.chunkSize ?? 1024 * 1024);
}

/** Decrypts protected MP4 (fragmented or progressive, cenc/cbcs/cens/cbc1) into a clear MP4. */
export async function decryptMedia(input: MediaInput, output: MediaOutput, options: DecryptOptions): Promise<DecryptReport> {
  const io = { blocking: options.blockingIo === true };
  const src = await openSource(input, io);
  let sink: Sink;
  try {
    sink = await openSink(output, io);
  } catch (e) {
    await src.close();
    throw e;
  }
  const run = new Run(src, sink, options);
  try {
    const report = await run.run();
    await sink.close();
    return report;
  } catch (e) {
    await sink.abort();
    throw asParserBug(e);
  } finally {
    await src.close();
    run.dispose();
  }
}

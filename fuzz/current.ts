// The input a fuzz process is running, kept in a file so that its parent can save it when the process dies (V8's
// heap limit) or hangs: a 4-byte length, then the bytes. The file is overwritten in place, never truncated:
// truncating it for every input cost more than running most inputs.
import { openSync, readFileSync, writevSync } from 'node:fs';

export class CurrentInput {
  private readonly fd: number;
  private readonly length = Buffer.alloc(4);

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(input: Buffer): void {
    this.length.writeUInt32BE(input.length);
    writevSync(this.fd, [this.length, input], 0);
  }
}

/** The input last written to `path` by a CurrentInput. */
export function readCurrent(path: string): Buffer {
  const file = readFileSync(path);
  if (file.length < 4) return Buffer.alloc(0);
  return file.subarray(4, 4 + file.readUInt32BE(0));
}

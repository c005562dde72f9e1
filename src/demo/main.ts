// `npm start`: the whole system on one machine. A Clear Key license server on a fresh SQLite file and a free
// loopback port, the sample's key loaded into it, a token for that key, then the player side through EME:
// access → session → license request → license server → update → key statuses → decryption, checked sample for
// sample against the clear source. Prints each step and shuts down cleanly.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decryptThroughEme } from '../client/eme-decrypt.js';
import { LicenseError, licenseServer } from '../client/license-source.js';
import { trackSamples } from '../media/index.js';
import { generateMasterKey, signLicenseToken, startLicenseServer } from '../server/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PROTECTED = join(root, 'samples/protected-cenc.mp4');
const CLEAR = join(root, 'samples/clear.mp4');
const SAMPLE_KID = Buffer.from('eb676abbcb345e96bbcf616630f1a3da', 'hex');
const SAMPLE_KEY = Buffer.from('100b6c20940f779a4589152b57d2dacb', 'hex');

const print = (label: string, text: string) => console.log(`${label.padEnd(16)} ${text}`);

const work = mkdtempSync(join(tmpdir(), 'emekit-demo-'));
const secret = randomBytes(32);
const server = await startLicenseServer({
  db: join(work, 'keys.sqlite'),
  masterKey: generateMasterKey(),
  auth: { kind: 'hs256', secret },
  log: false,
});
try {
  print('license server', `${server.licenseUrl} (SQLite ${join(work, 'keys.sqlite')})`);
  print('master key', 'generated for this demo only; a real server takes EMEKIT_MASTER_KEY and refuses to start without it');
  await server.store.addKey(SAMPLE_KID, SAMPLE_KEY, 'demo');
  print('key loaded', `${SAMPLE_KID.toString('hex')} (label "demo"; stored encrypted with AES-256-GCM)`);
  const token = await signLicenseToken(secret, { kids: [SAMPLE_KID], ttlSeconds: 300, subject: 'demo-player' });
  print('token', `HS256 JWT for that key ID, valid 5 minutes`);

  // A token for some other key first, to show the server keeping keys to those entitled to them.
  const otherToken = await signLicenseToken(secret, { kids: [randomBytes(16)], ttlSeconds: 60 });
  const refused = await decryptThroughEme({ input: PROTECTED, output: join(work, 'never.mp4'), license: licenseServer(server.licenseUrl, otherToken) }).catch(
    (error: unknown) => error,
  );
  print('wrong token', refused instanceof LicenseError ? refused.message : `unexpected: ${String(refused)}`);

  const output = join(work, 'decrypted.mp4');
  const result = await decryptThroughEme({
    input: PROTECTED,
    output,
    license: licenseServer(server.licenseUrl, token),
    onStep: (step, detail) => {
      if (step === 'access') print('access granted', `org.w3.clearkey ${JSON.stringify(detail)}`);
      if (step === 'message') print('license request', JSON.stringify((detail as { body: unknown }).body));
      if (step === 'keystatuses' && Object.keys(detail as object).length > 0) {
        print('key statuses', Object.entries(detail as Record<string, string>).map(([k, s]) => `${k}: ${s}`).join(', '));
      }
    },
  });
  const { report } = result;
  print('decrypted', `${report.samplesDecrypted} samples (${report.schemes.join(', ')}), ${(result.bytes / 1e6).toFixed(2)} MB in ${(result.seconds * 1000).toFixed(0)} ms = ${(result.bytes / 1e6 / result.seconds).toFixed(1)} MB/s`);

  const clear = readFileSync(CLEAR);
  const decrypted = readFileSync(output);
  let compared = 0;
  for (const track of report.tracks) {
    const expected = trackSamples(clear, track.trackId);
    const actual = trackSamples(decrypted, track.trackId);
    if (actual.length !== expected.length || actual.some((sample, i) => !sample.equals(expected[i]!))) {
      throw new Error(`track ${track.trackId} does not match the clear source`);
    }
    compared += actual.length;
  }
  print('verified', `all ${compared} samples identical to the clear source`);
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await server.close();
  rmSync(work, { recursive: true, force: true });
  print('shut down', 'license server closed, temporary files removed');
}

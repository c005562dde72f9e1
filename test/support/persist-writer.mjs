// Child process: stores a persistent-license session in an SQLite store, prints its session ID, and exits.
import { createEME } from '../../dist/index.js';

const [path, kidB64, keyB64] = process.argv.slice(2);
const eme = createEME({ store: path, origin: 'https://survivor.example' });
const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [
  { sessionTypes: ['persistent-license'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
]);
const session = (await access.createMediaKeys()).createSession('persistent-license');
await session.generateRequest('keyids', new TextEncoder().encode(JSON.stringify({ kids: [kidB64] })));
await session.update(new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: kidB64, k: keyB64 }], type: 'persistent-license' })));
process.stdout.write(session.sessionId);
process.exit(0); // no close(): the process simply ends, as a browser tab might

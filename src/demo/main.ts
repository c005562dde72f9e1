// `npm start`: the EME flow end to end, printing each step.
import { createEME } from '../index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const kid = Buffer.from('eb676abbcb345e96bbcf616630f1a3da', 'hex');
const key = Buffer.from('100b6c20940f779a4589152b57d2dacb', 'hex');

const eme = createEME();
const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [
  { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"', encryptionScheme: 'cenc' }] },
]);
console.log('access granted:', JSON.stringify(access.getConfiguration()));
const mediaKeys = await access.createMediaKeys();
const session = mediaKeys.createSession('temporary');
session.addEventListener('keystatuseschange', () => {
  for (const [id, status] of session.keyStatuses) console.log(`key ${Buffer.from(id as ArrayBuffer).toString('hex')}: ${status}`);
});
session.onmessage = async (event) => {
  const request = JSON.parse(decoder.decode(event.message)) as { kids: string[] };
  console.log(`message (${event.messageType}):`, decoder.decode(event.message));
  // A license server would answer this; here the key is known locally.
  const license = { keys: request.kids.map((k) => ({ kty: 'oct', kid: k, k: key.toString('base64url') })) };
  await session.update(encoder.encode(JSON.stringify(license)));
  console.log('license accepted');
  await session.close();
  console.log('session closed:', await session.closed);
};
await session.generateRequest('keyids', encoder.encode(JSON.stringify({ kids: [kid.toString('base64url')] })));
console.log('license request generated for session', session.sessionId);

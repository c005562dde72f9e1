// The package as users import it: its entry points resolve (through "exports", to the bundles in dist/lib),
// share their classes, and work; run by plain Node, not through vitest's resolver.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
const root = await import('emekit');
const media = await import('emekit/media');
const server = await import('emekit/server');
const testing = await import('emekit/testing');
const out = {
  sameMediaError: root.MediaError === media.MediaError,
  rootApi: ['requestMediaKeySystemAccess', 'createEME', 'MediaKeySession', 'decryptMedia', 'install'].every((k) => typeof root[k] === 'function'),
  serverApi: typeof server.startLicenseServer === 'function',
};
const access = await root.createEME({ keySystems: [testing.testKeySystem({ keySystem: 'com.example.test' })] })
  .requestMediaKeySystemAccess('com.example.test', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
out.testingKeySystem = access.keySystem;
// The bundle keeps the names script sees (esbuild would rename colliding ones: _MediaKeys, requestMediaKeySystemAccess2).
out.names = [root.MediaKeySystemAccess, root.MediaKeys, root.MediaKeySession, root.MediaKeyStatusMap, root.MediaKeyMessageEvent,
  root.MediaEncryptedEvent, root.QuotaExceededError, root.requestMediaKeySystemAccess].map((f) => f.name);
out.inspected = (await import('node:util')).inspect(access);
const report = await media.decryptMedia('samples/protected-cenc.mp4', new (await import('node:stream')).Writable({ write: (c, e, cb) => cb() }), {
  keys: () => Buffer.from('100b6c20940f779a4589152b57d2dacb', 'hex'),
});
out.decrypted = report.samplesDecrypted;
const err = await media.decryptMedia('samples/clear.mp4', new (await import('node:stream')).Writable({ write: (c, e, cb) => cb() }), { keys: () => undefined }).catch((e) => e);
out.notProtected = err instanceof root.MediaError && err.code;
const dom = await import('emekit/dom');
const { Window } = await import('happy-dom');
const window = new Window();
dom.installMedia(window);
const domAccess = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
out.domSharesEme = domAccess instanceof window.MediaKeySystemAccess && domAccess.keySystem === 'org.w3.clearkey' && typeof window.HTMLMediaElement.prototype.setMediaKeys === 'function';
await window.happyDOM.close();
console.log(JSON.stringify(out));
`;

describe('package entry points', () => {
  it('emekit, emekit/media, emekit/server, emekit/testing and emekit/dom load from the bundles, share classes and decrypt', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ sameMediaError: true, rootApi: true, serverApi: true, decrypted: 289, notProtected: 'not-protected', testingKeySystem: 'com.example.test',
      names: ['MediaKeySystemAccess', 'MediaKeys', 'MediaKeySession', 'MediaKeyStatusMap', 'MediaKeyMessageEvent', 'MediaEncryptedEvent', 'QuotaExceededError', 'requestMediaKeySystemAccess'],
      inspected: "MediaKeySystemAccess { keySystem: 'com.example.test' }",
      domSharesEme: true,
    });
  });
});

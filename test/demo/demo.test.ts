// `npm start` on the built package: the whole system, end to end, exits 0 and says what it verified.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm start (the demo)', () => {
  it('runs the license server and the EME flow, verifies every sample and shuts down', () => {
    const run = spawnSync(process.execPath, ['dist/demo/main.js'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/license server +http:\/\/127\.0\.0\.1:\d+\/license/);
    expect(run.stdout).toContain('wrong token      license server refused: the token does not allow these keys (403)');
    expect(run.stdout).toContain('license request  {"kids":["62dqu8s0Xpa7z2FmMPGj2g"],"type":"temporary"}');
    expect(run.stdout).toContain('key statuses     eb676abbcb345e96bbcf616630f1a3da: usable');
    expect(run.stdout).toContain('verified         all 289 samples identical to the clear source');
    expect(run.stdout).toContain('shut down');
    // The key itself never appears.
    expect(run.stdout + run.stderr).not.toContain('100b6c20940f779a4589152b57d2dacb');
    expect(run.stdout + run.stderr).not.toContain('EAtsIJQPd5pFiRUrV9Layw');
  }, 90_000);
});

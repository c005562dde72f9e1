// The README's "test your own player" example runs as pasted: the file README.md shows (test/players/readme-example/
// my-player.test.js, compared with the README's block) is run by vitest on its own, as a user would run it, against
// a packaged presentation on a local server and a real `emekit serve`, through the package's `emekit/dom` entry
// (the built dist/, as a project that installed emekit gets it; `npm test` builds first).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYS, repoRoot } from '../support/fixtures.js';
import { makePresentation } from './support/presentation.js';
import { useServers } from './support/use-servers.js';

const EXAMPLE = resolve(repoRoot, 'test/players/readme-example/my-player.test.js');
const servers = useServers();

describe('README: testing your own player', () => {
  it('shows the example file as it is', () => {
    const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(['```js', readFileSync(EXAMPLE, 'utf8').trimEnd(), '```'].join('\n'));
  });

  it('runs as pasted: hls.js plays a packaged presentation licensed by emekit serve to the end', async () => {
    const { license } = servers;
    const presentation = await makePresentation({ scheme: 'cenc', keys: { video: KEYS.video, audio: KEYS.video }, licenseUrl: license.licenseUrl });
    const env = {
      ...process.env,
      STREAM_URL: `${servers.media.mount('readme', presentation.files)}master.m3u8`,
      LICENSE_URL: license.licenseUrl,
      TOKEN: await license.token([KEYS.video.kid]),
    };
    const vitest = resolve(repoRoot, 'node_modules/vitest/vitest.mjs');
    const run = await new Promise<{ code: number; output: string }>((done) => {
      execFile(process.execPath, [vitest, 'run'], { cwd: resolve(repoRoot, 'test/players/readme-example'), env, timeout: 60_000 }, (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/1 passed/);
  }, 90_000);
});

// Runs the compile-only DOM assignability check (test/types/dom-assignability.ts) against the built package.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';


describe('TypeScript: emekit objects are assignable to lib.dom EME types', () => {
  it('type-checks player code written against lib.dom', () => {
    const tsc = 'node_modules/typescript/bin/tsc';
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'test/types'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 120_000);
});

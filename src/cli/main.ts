#!/usr/bin/env node
// The `emekit` command. Each sub-command lives in its own file and registers itself on the program; what
// a command needs to run (media, EME, server) is loaded by its action, so every command starts fast.
import { Command } from 'commander';
import { registerDecrypt } from './decrypt.js';
import { registerInspect } from './inspect.js';
import { registerKeys } from './keys.js';
import { registerServe } from './serve.js';
import { registerToken } from './token.js';

const program = new Command();
program
  .name('emekit')
  .description('W3C Encrypted Media Extensions with a Clear Key CDM: inspect and decrypt protected media, serve licenses')
  .showHelpAfterError();

// Sub-commands (one line each):
registerInspect(program);
registerDecrypt(program);
registerServe(program);
registerKeys(program);
registerToken(program);

await program.parseAsync(process.argv);

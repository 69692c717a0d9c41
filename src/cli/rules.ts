import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** `vigie rules` (not implemented yet). */
export function register(program: Command, _setExit: SetExit): void {
  program.command('rules').description('(not implemented yet)').action(() => {
    process.stderr.write('vigie rules: not implemented yet\n');
  });
}

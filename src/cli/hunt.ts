import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** `vigie hunt` (not implemented yet). */
export function register(program: Command, _setExit: SetExit): void {
  program.command('hunt').description('(not implemented yet)').action(() => {
    process.stderr.write('vigie hunt: not implemented yet\n');
  });
}

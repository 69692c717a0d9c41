import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** `vigie dump` (not implemented yet). */
export function register(program: Command, _setExit: SetExit): void {
  program.command('dump').description('(not implemented yet)').action(() => {
    process.stderr.write('vigie dump: not implemented yet\n');
  });
}

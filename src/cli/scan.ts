import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** `vigie scan` (not implemented yet). */
export function register(program: Command, _setExit: SetExit): void {
  program.command('scan').description('(not implemented yet)').action(() => {
    process.stderr.write('vigie scan: not implemented yet\n');
  });
}

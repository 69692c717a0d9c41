import type { Source } from '../types.js';

/** Flat Windows-event JSON lines (NXLog and similar agents) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'windows-flat-json',
  description: 'Flat Windows-event JSON lines (NXLog and similar agents)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

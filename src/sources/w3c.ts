import type { Source } from './types.js';

/** IIS W3C extended logs (u_ex*.log) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'w3c',
  description: 'IIS W3C extended logs (u_ex*.log)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

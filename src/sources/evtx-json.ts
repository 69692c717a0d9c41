import type { Source } from './types.js';

/** evtx_dump JSON: one object, objects back to back, or JSON Lines (not implemented yet: claims no file). */
export const source: Source = {
  name: 'evtx-json',
  description: 'evtx_dump JSON: one object, objects back to back, or JSON Lines',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

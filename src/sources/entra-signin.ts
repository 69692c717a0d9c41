import type { Source } from './types.js';

/** Entra ID sign-in log exports (JSON, CSV) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'entra-signin',
  description: 'Entra ID sign-in log exports (JSON, CSV)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

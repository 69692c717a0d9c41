import type { Source } from '../types.js';

/** Splunk JSON exports of Windows event logs (not implemented yet: claims no file). */
export const source: Source = {
  name: 'splunk',
  description: 'Splunk JSON exports of Windows event logs',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

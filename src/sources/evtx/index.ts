import type { Source } from '../types.js';

/** Windows EVTX event log files (binary, streaming) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'evtx',
  description: 'Windows EVTX event log files (binary, streaming)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

import type { Source } from '../types.js';

/** Velociraptor Windows.EventLogs.EVTX results (JSON lines) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'velociraptor',
  description: 'Velociraptor Windows.EventLogs.EVTX results (JSON lines)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

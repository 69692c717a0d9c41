import type { Source } from './types.js';

/** Windows XML event exports (wevtutil /f:xml, Event Viewer Save as XML) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'evtx-xml',
  description: 'Windows XML event exports (wevtutil /f:xml, Event Viewer Save as XML)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

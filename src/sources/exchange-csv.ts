import type { Source } from './types.js';

/** Exchange CSV logs with #Fields headers (message tracking, HttpProxy, EWS, ECP, CmdletInfra…) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'exchange-csv',
  description: 'Exchange CSV logs with #Fields headers (message tracking, HttpProxy, EWS, ECP, CmdletInfra…)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

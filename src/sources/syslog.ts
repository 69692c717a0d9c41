import type { Source } from './types.js';

/** Syslog RFC 3164 / RFC 5424 (Postfix, Dovecot, Barracuda ESG) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'syslog',
  description: 'Syslog RFC 3164 / RFC 5424 (Postfix, Dovecot, Barracuda ESG)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

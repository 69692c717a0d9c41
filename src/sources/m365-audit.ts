import type { Source } from './types.js';

/** Microsoft 365 unified audit log exports (Purview CSV, Search-UnifiedAuditLog CSV, JSON, JSON Lines) (not implemented yet: claims no file). */
export const source: Source = {
  name: 'm365-audit',
  description: 'Microsoft 365 unified audit log exports (Purview CSV, Search-UnifiedAuditLog CSV, JSON, JSON Lines)',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

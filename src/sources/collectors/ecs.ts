import type { Source } from '../types.js';

/** Winlogbeat / Elastic Common Schema documents, Elasticsearch _search results (not implemented yet: claims no file). */
export const source: Source = {
  name: 'ecs',
  description: 'Winlogbeat / Elastic Common Schema documents, Elasticsearch _search results',
  detect: () => 0,
  // eslint-disable-next-line require-yield
  read: async function* () {},
};

/**
 * Transforms enrich events between sources and detection (Vector's model): each one adds derived fields to
 * events it recognises and leaves the rest untouched. They run in order on every event of a hunt or dump.
 */
import type { VigieEvent } from '../event.js';
import { cmdletTransform } from './cmdlet.js';

export interface Transform {
  name: string;
  /** enrich in place; must not throw for hostile data */
  apply(ev: VigieEvent): void;
}

export const TRANSFORMS: Transform[] = [cmdletTransform];

export function applyTransforms(ev: VigieEvent, list: Transform[] = TRANSFORMS): VigieEvent {
  for (const t of list) {
    try {
      t.apply(ev);
    } catch {
      // a transform must never lose an event: the event goes on un-enriched
    }
  }
  return ev;
}

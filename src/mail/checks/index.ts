/** Every message check Vigie runs. Each check lives in its own module in this folder and is listed here. */
import type { Check } from '../types.js';

export const CHECKS: Check[] = [];

/** Every message check Vigie runs. Each check lives in its own module in this folder and is listed here. */
import type { Check } from '../types.js';
import { headersCheck } from './headers.js';
import { lookalikeCheck } from './lookalike.js';
import { linksCheck } from './links.js';
import { htmlCheck } from './html.js';
import { wordingCheck } from './wording.js';
import { attachmentsCheck } from './attachments.js';
import { qrCheck } from './qr.js';
import { forwardedCheck } from './forwarded.js';

export const CHECKS: Check[] = [
  headersCheck,
  lookalikeCheck,
  linksCheck,
  htmlCheck,
  wordingCheck,
  attachmentsCheck,
  qrCheck,
  forwardedCheck,
];

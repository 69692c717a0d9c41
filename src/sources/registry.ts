/** Every input format Vigie reads. Detection asks each one; the most confident wins. */
import type { Source } from './types.js';
import { source as evtx } from './evtx/index.js';
import { source as evtxJson } from './evtx-json.js';
import { source as evtxXml } from './evtx-xml.js';
import { source as w3c } from './w3c.js';
import { source as exchangeCsv } from './exchange-csv.js';
import { source as m365Audit } from './m365-audit.js';
import { source as entraSignin } from './entra-signin.js';
import { source as syslog } from './syslog.js';
import { source as flatJson } from './collectors/flat-json.js';
import { source as ecs } from './collectors/ecs.js';
import { source as velociraptor } from './collectors/velociraptor.js';
import { source as splunk } from './collectors/splunk.js';

export const SOURCES: Source[] = [
  evtx, evtxJson, evtxXml,
  w3c, exchangeCsv, m365Audit, entraSignin, syslog,
  flatJson, ecs, velociraptor, splunk,
];

/**
 * Domain lists for link checks. Entries are registrable domains or host suffixes (matched on label boundaries:
 * "web.app" matches "x.web.app"). Lists are facts about services, kept short and well known.
 */

/** URL shorteners and link-in-bio/dynamic-link services: the real target is hidden. */
export const SHORTENERS = [
  'bit.ly', 'bitly.com', 'j.mp', 'tinyurl.com', 'tiny.cc', 'tiny.one', 'goo.gl', 'ow.ly', 'is.gd', 'v.gd', 'buff.ly',
  'rebrand.ly', 'rb.gy', 't.ly', 'shorturl.at', 'cutt.ly', 'cutt.us', 'shorte.st', 'adf.ly', 'bl.ink', 'short.io',
  'snip.ly', 'lnkd.in', 't.co', 'arg.link', '128.pl', 'scnv.io', 'qrco.de', 'urlz.fr', 'urlr.me', 'x.gd', 's.id',
  'shorturl.asia', 'clck.ru', 'u.to', 'soo.gd', 'bc.vc', 'ouo.io', 'page.link', 'app.link', 'linktr.ee', 'surl.li',
  'zpr.io', 'tr.im', 'cli.re', 'hyperurl.co', 'shrtco.de', 'gg.gg', 'did.li', 'short.gy', 'bit.do', 'lc.cx',
  'kutt.it', 'plu.sh', 'ln.run', 'mcaf.ee', 'trib.al', 'dlvr.it', 'ift.tt', 'ht.ly', 'po.st', 'q.gs', 'yourls.org',
  'tinu.be', 'vurl.com', 'tny.im', 'shor.by', 'rotf.lol', 'qr.io', 'qr-codes.io', 'me-qr.com', 'l.ead.me', 'bit.ws',
  '2.gp', 'chilp.it', 'cort.as', 'inx.lv', 'is.gd', 'n9.cl', 'tinyurl.is', 'shrtm.nu', 'wa.link',
];

/** Free hosting, site builders, serverless and object-storage hosts where anyone can publish a page. */
export const FREE_HOSTING = [
  'cloudfunctions.net', 'run.app', 'web.app', 'firebaseapp.com', 'appspot.com', 'storage.googleapis.com',
  'sites.google.com', 'docs.google.com/drawings/', 'docs.google.com/presentation/d/e/', 'docs.google.com/document/d/e/', 'blogspot.com', 'netlify.app', 'netlify.com', 'vercel.app', 'pages.dev', 'workers.dev',
  'r2.dev', 'github.io', 'gitlab.io', 'glitch.me', 'herokuapp.com', 'onrender.com', 'fly.dev', 'repl.co',
  'replit.app', 'replit.dev', 'weebly.com', 'weeblysite.com', 'wixsite.com', 'wix.com', 'square.site',
  'godaddysites.com', 'webflow.io', 'framer.app', 'framer.website', 'carrd.co', 'strikingly.com', 'mystrikingly.com',
  'jimdosite.com', 'jimdo.com', 'wordpress.com', 'webnode.page', 'webnode.com', 'yolasite.com', 'site123.me',
  '000webhostapp.com', 'freehostia.com', 'byethost.com', 'epizy.com', 'rf.gd', 'infinityfreeapp.com', 'wuaze.com',
  'digitaloceanspaces.com', 'ondigitalocean.app', 'azurewebsites.net', 'blob.core.windows.net', 'web.core.windows.net',
  'azurestaticapps.net', 's3.amazonaws.com', 'amplifyapp.com', 'cloudfront.net', 'ngrok.io', 'ngrok-free.app',
  'ngrok.app', 'trycloudflare.com', 'loca.lt', 'surge.sh', 'tiiny.site', 'notion.site', 'mailchimpsites.com',
  'myshopify.com', 'zohosites.com', 'ukit.me', 'tilda.ws', 'ucoz.net', 'narod.ru', 'firebasestorage.googleapis.com',
  'backblazeb2.com', 'b-cdn.net', 'pantheonsite.io', 'codesandbox.io', 'csb.app', 'stackblitz.io', 'bubbleapps.io',
  'weblium.site', 'editorx.io', 'wixstudio.io', 'canva.site', 'my.canva.site', 'typedream.app', 'hpage.com',
  'cprapid.com', 'secureserver.net', 'translate.goog',
];

/** File-sharing services: lures for "shared document" phishing. */
export const FILE_SHARING = [
  'dropbox.com', 'dropboxusercontent.com', 'db.tt', 'wetransfer.com', 'we.tl', 'drive.google.com', 'docs.google.com',
  'onedrive.live.com', '1drv.ms', 'mega.nz', 'mega.io', 'mediafire.com', 'box.com', 'app.box.com', 'sendspace.com',
  'transfernow.net', 'smash.gg', 'fromsmash.com', 'swisstransfer.com', 'filemail.com', 'files.fm', 'gofile.io',
  'pcloud.com', 'icedrive.net', 'anonfiles.com', 'zippyshare.com', 'sync.com', 'jumpshare.com', 'dropmark.com',
  'sendgb.com', 'file.io', 'filetransfer.io', 'transfer.sh', 'wsend.net', 'hightail.com', 'egnyte.com',
  'sharefile.com', 'evernote.com', 'notion.so', 'padlet.com', 'scribd.com', 'issuu.com', 'slideshare.net',
  'prezi.com', 'canva.com', 'doc.clickup.com', 'quip.com', 'flipsnack.com', 'docdroid.net', 'dochub.com',
  'pdfhost.io', 'anyflip.com', 'fliphtml5.com', 'calameo.com', 'yumpu.com', 'mypdf.page',
];

/** Form builders and survey tools: credential-collecting forms with a trusted domain. */
export const FORM_BUILDERS = [
  'forms.gle', 'docs.google.com/forms', 'forms.office.com', 'forms.microsoft.com', 'jotform.com', 'jotform.me',
  'form.jotform.com', 'typeform.com', 'formstack.com', 'wufoo.com', 'cognitoforms.com', '123formbuilder.com',
  'formsite.com', 'zoho.com/forms', 'forms.zohopublic.com', 'surveymonkey.com', 'surveygizmo.com', 'formspree.io',
  'getform.io', 'paperform.co', 'tally.so', 'airtable.com', 'emailmeform.com', 'formcrafts.com', 'hsforms.com',
  'forms.app', 'formaloo.com', 'fillout.com', 'formbuilder.online', 'smartsheet.com', 'sogosurvey.com',
  'qualtrics.com', 'forms.yandex.ru', 'webformsite.com', 'formdesigner.com',
];

/** IPFS public gateways (phishing kits are often hosted on IPFS). */
export const IPFS_GATEWAYS = [
  'ipfs.io', 'dweb.link', 'cloudflare-ipfs.com', 'gateway.pinata.cloud', 'ipfs.fleek.co', 'nftstorage.link',
  'w3s.link', 'infura-ipfs.io', 'ipfs.infura.io', 'gateway.ipfs.io', 'ipfs.best-practice.se', '4everland.io',
  'fleek.cool', 'storry.tv', 'ipfs.runfission.com', 'cf-ipfs.com',
];

/** Query parameter names that commonly carry a redirect target. */
export const REDIRECT_PARAMS = [
  'url', 'u', 'q', 'r', 'redirect', 'redirect_uri', 'redirect_url', 'redirecturl', 'redir', 'next', 'target', 'dest',
  'destination', 'goto', 'go', 'link', 'out', 'to', 'continue', 'return', 'returnurl', 'return_url', 'returnto',
  'forward', 'location', 'site', 'ref', 'adurl', 'page', 'view', 'jump', 'l', 'data', 'rurl', 'service',
];

/**
 * Redirector patterns abused for open redirects: host (suffix) + path prefix. A link through one of these whose
 * target points to another domain hides the destination behind a trusted name.
 */
export const REDIRECTORS: Array<{ host: string; path: string }> = [
  { host: 'google.com', path: '/url' }, { host: 'google.com', path: '/amp/' }, { host: 'googleadservices.com', path: '/pagead/aclk' },
  { host: 'bing.com', path: '/ck/a' }, { host: 'youtube.com', path: '/redirect' }, { host: 'facebook.com', path: '/l.php' },
  { host: 'l.facebook.com', path: '/' }, { host: 'l.instagram.com', path: '/' }, { host: 'linkedin.com', path: '/slink' },
  { host: 'linkedin.com', path: '/redir' }, { host: 'safelinks.protection.outlook.com', path: '/' },
  { host: 'doubleclick.net', path: '/' }, { host: 'vk.com', path: '/away' }, { host: 't.me', path: '/iv' },
  { host: 'baidu.com', path: '/link' }, { host: 'yandex.ru', path: '/redirect' }, { host: 'translate.google.com', path: '/translate' },
  { host: 'webcache.googleusercontent.com', path: '/' }, { host: 'urldefense.com', path: '/' }, { host: 'urldefense.proofpoint.com', path: '/' },
  { host: 'c.gle', path: '/' }, { host: 'adnxs.com', path: '/' }, { host: 'translate.google.com', path: '/website' },
];

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlCheck } from '../../../src/mail/checks/html.js';
import { htmlFeatures } from '../../../src/mail/inspect/htmlfeatures.js';
import { hit, msg, run, symbols } from './make.js';

const body = (html: string, text = 'x'.repeat(100)) => run(htmlCheck, msg({ html, text }));

test('HTML_FORM_PASSWORD: a login form posting elsewhere', async () => {
  const h = await body('<form action="https://collect.example/p.php" method=post><input name=u><input type="password" name=p></form>');
  assert.match(hit(h, 'HTML_FORM_PASSWORD')!.reason, /password field that posts to collect\.example/);
  assert.equal(hit(h, 'HTML_FORM'), undefined);
});

test('HTML_FORM: a form without password scores low; no form, no symbol', async () => {
  const h = await body('<form action="https://search.example/q"><input name=q></form><p>Hello there</p>');
  assert.ok(hit(h, 'HTML_FORM')!.score <= 1.5);
  assert.deepEqual(symbols(await body('<p>Hello <b>there</b></p>')), []);
});

test('HTML_HIDDEN_TEXT: lots of invisible text; a short hidden preheader is not flagged', async () => {
  const filler = 'lorem ipsum dolor sit amet '.repeat(20);
  for (const style of ['display:none', 'font-size:0px', 'visibility:hidden', 'color:#ffffff;background-color:#fff']) {
    const h = await body(`<div style="${style}">${filler}</div><p>Pay now</p>`);
    assert.ok(hit(h, 'HTML_HIDDEN_TEXT'), style);
  }
  assert.equal(hit(await body(`<div style="display:none">Your weekly digest</div><p>${filler}</p>`), 'HTML_HIDDEN_TEXT'), undefined);
  assert.equal(hit(await body(`<div style="display:block">${filler}</div>`), 'HTML_HIDDEN_TEXT'), undefined);
});

test('hidden region ends with its element (nesting counted)', () => {
  const f = htmlFeatures('<div style="display:none"><div>abc</div>def</div>visible');
  assert.equal(f.hiddenChars, 6);
  assert.equal(f.visibleChars, 7);
});

test('ZERO_WIDTH_CHARS: words split with zero-width spaces; emoji joiners are fine', async () => {
  const h = await run(htmlCheck, msg({ text: 'Ve\u200brify your ac\u200bcount with Pay\u200bPal to\u200bday' }));
  assert.ok(hit(h, 'ZERO_WIDTH_CHARS'));
  assert.deepEqual(symbols(await run(htmlCheck, msg({ text: 'Family 👨\u200d👩\u200d👧 photos \u200b\u200b\u200b' }))), []);
});

test('BIDI_CONTROL_CHARS in subject or body', async () => {
  assert.match(hit(await run(htmlCheck, msg({ subject: 'Invoice \u202efdp.exe' })), 'BIDI_CONTROL_CHARS')!.reason, /subject/);
  assert.deepEqual(symbols(await run(htmlCheck, msg({ subject: 'Invoice 42' }))), []);
});

test('HTML_IMAGE_ONLY: only an image, no words', async () => {
  assert.ok(hit(await run(htmlCheck, msg({ html: '<a href="http://x.example"><img src="cid:1"></a>', text: '' })), 'HTML_IMAGE_ONLY'));
  assert.equal(hit(await body('<img src="cid:1"><p>' + 'Dear customer, here is the monthly report you asked for. '.repeat(3) + '</p>'), 'HTML_IMAGE_ONLY'), undefined);
});

test('HTML_META_REFRESH and HTML_SCRIPT', async () => {
  assert.ok(hit(await body('<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>wait</p>'), 'HTML_META_REFRESH'));
  assert.ok(hit(await body('<p>hi</p><script>document.location="https://evil.example"</script>'), 'HTML_SCRIPT'));
  assert.deepEqual(symbols(await body('<meta charset="utf-8"><p>hi</p>')), []);
});

test('hostile HTML: unterminated tags, huge attribute runs, deep nesting', async () => {
  const html = '<div style="display:none">'.repeat(20_000) + '<' + 'a '.repeat(100_000) + '<form action="' + 'x'.repeat(100_000);
  const h = await body(html);
  assert.ok(Array.isArray(h));
});

test('ZERO_WIDTH_CHARS scores higher in the display name or subject than in the body', async () => {
  const zw = 'P\u200dr\u200di\u200dm\u200de';
  const name = hit(await run(htmlCheck, msg({ fromName: zw })), 'ZERO_WIDTH_CHARS');
  const body = hit(await run(htmlCheck, msg({ text: `Your ${zw} order` })), 'ZERO_WIDTH_CHARS');
  assert.ok(name && body);
  assert.ok(name!.score > body!.score);
  assert.equal(hit(await run(htmlCheck, msg({ fromName: 'Prime Video' })), 'ZERO_WIDTH_CHARS'), undefined);
});

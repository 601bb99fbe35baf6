// Drives the reviewers' console with Debian's Chromium (puppeteer-core), one
// step per run, for console_test.cc. The profile folder is kept between
// steps, so a login made in one step is the same browser's in the next.
//   node console_browser.cjs STEP   with CONSOLE_URL, SESSION, TOKEN, PROFILE, ARTIFACTS (and LIVE_PNG)
// Prints one JSON line with what it saw; exits 1 with {"error"} on a failure.
'use strict';
const path = require('path');
const fs = require('fs');
const puppeteer = require(path.join(process.env.DESKBOX_SOURCE_ROOT, 'tests/clients/node_modules/puppeteer-core'));

const base = process.env.CONSOLE_URL.replace(/\/$/, '');
const session = process.env.SESSION;
const artifacts = process.env.ARTIFACTS;
const timeout = 60000;

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });
}

async function logIn(page, token, screenshotName) {
  await page.goto(base + '/login', { waitUntil: 'load' });
  if (screenshotName) await shot(page, screenshotName);
  await page.type('input[name=token]', token);
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.login button')]);
  // A good login answers 303 to the sessions page; the navigation ends on
  // that page, so the login's own status is the first of the redirect chain.
  const chain = response.request().redirectChain();
  return chain.length ? chain[0].response().status() : response.status();
}

async function sessionPage(page) {
  const response = await page.goto(base + '/session/' + encodeURIComponent(session), { waitUntil: 'load' });
  return response.status();
}

// The first pending approval once it is shown with its picture loaded.
async function approvalShown(page) {
  await page.waitForSelector('article.approval img.observation', { timeout });
  await page.waitForFunction(() => {
    const img = document.querySelector('article.approval img.observation');
    return img && img.complete && img.naturalWidth > 0;
  }, { timeout });
  return page.evaluate(() => {
    const a = document.querySelector('article.approval');
    const img = a.querySelector('img.observation');
    const words = {};
    const dts = a.querySelectorAll('dl.words dt');
    for (const dt of dts) words[dt.textContent] = dt.nextElementSibling.textContent;
    return { id: a.id, title: a.querySelector('h3').textContent, width: img.naturalWidth, height: img.naturalHeight, words };
  });
}

async function decide(page, button, note) {
  await page.type('article.approval input[name=note]', note);
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
                                        page.click('article.approval button.' + button)]);
  return response.status();
}

const steps = {
  // Log in, see the session listed with its pending approval, approve it.
  async approve(page) {
    const login = await logIn(page, process.env.TOKEN, 'page-login');
    await shot(page, 'page-sessions');
    const row = await page.$eval(`tr[data-session="${session}"]`, (tr) => Array.from(tr.cells).map((c) => c.textContent));
    const status = await sessionPage(page);
    const approval = await approvalShown(page);
    await shot(page, 'page-session-approval');
    const decided = await decide(page, 'approve', 'looks right');
    return { login, row, status, approval, decided };
  },
  async deny(page) {
    const status = await sessionPage(page);
    const approval = await approvalShown(page);
    const decided = await decide(page, 'deny', 'wrong incident');
    return { status, approval, decided };
  },
  // The live view's canvas once it shows the session's screen.
  async live(page) {
    const status = await sessionPage(page);
    await page.waitForSelector('#screen[data-connected="1"] canvas', { timeout });
    // The first full frame has arrived when the canvas is not one colour.
    await page.waitForFunction(() => {
      const c = document.querySelector('#screen canvas');
      if (!c || c.width < 100) return false;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 4; i < d.length; i += 4 * 97) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
      return false;
    }, { timeout, polling: 250 });
    const png = await page.$eval('#screen canvas', (c) => c.toDataURL('image/png'));
    fs.writeFileSync(process.env.LIVE_PNG, Buffer.from(png.split(',')[1], 'base64'));
    const liveStatus = await page.$eval('#live-status', (p) => p.textContent);
    await shot(page, 'page-session-live');
    return { status, liveStatus };
  },
  // Logged in, but a POST without the form's CSRF token; and no cookie at all.
  async security(page) {
    await sessionPage(page);
    const withoutCsrf = await page.evaluate(async (s) => {
      const r = await fetch('/session/' + s + '/pause', { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'note=forged' });
      return r.status;
    }, session);
    const noCookie = (await fetch(base + '/session/' + session)).status;
    const noCookiePost = (await fetch(base + '/session/' + session + '/stop', { method: 'POST' })).status;
    // The timeline's thumbnails of kept screenshots load (the live step's screenshot at least).
    await page.waitForFunction(() => {
      const img = document.querySelector('#timeline img.thumb');
      return img && img.complete && img.naturalWidth > 0;
    }, { timeout });
    const thumbnail = await page.$eval('#timeline img.thumb', (img) => ({ width: img.naturalWidth, src: img.getAttribute('src') }));
    const forgedThumbnail = (await page.evaluate(async (s) => (await fetch('/session/' + s + '/kept/..%2Faudit.jsonl')).status, session));
    await shot(page, 'page-session-timeline');
    const timeline = await page.$eval('#timeline', (t) => t.textContent);
    return { withoutCsrf, noCookie, noCookiePost, timeline, thumbnail, forgedThumbnail };
  },
  // After `console token revoke`: the open login is refused, and so is a new one.
  async revoked(page) {
    const response = await page.goto(base + '/', { waitUntil: 'load' });
    const loginForm = (await page.$('form.login')) !== null;
    const again = await logIn(page, process.env.TOKEN);
    await shot(page, 'page-login-refused');
    return { status: response.status(), loginForm, again };
  },
  async stop(page) {
    const login = await logIn(page, process.env.TOKEN);
    await sessionPage(page);
    let dialog = '';
    page.on('dialog', async (d) => { dialog = d.message(); await d.accept(); });
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#control-stop')]);
    return { login, dialog, status: response.status(), url: page.url() };
  },
  // A burst of wrong tokens from one address.
  async ratelimit() {
    const statuses = [];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(base + '/login', { method: 'POST', redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'token=guess' + i });
      statuses.push(r.status);
    }
    return { statuses };
  },
};

(async () => {
  const step = process.argv[2];
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
    userDataDir: process.env.PROFILE, args: ['--no-sandbox', '--disable-gpu', '--window-size=1400,1000'],
    defaultViewport: { width: 1400, height: 1000 } });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    const result = await steps[step](page);
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await browser.close();
  }
})().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + '\n');
  process.exit(1);
});

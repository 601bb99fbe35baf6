// The reviewers' console, measured in a real session (issue 15, Benchmark):
//
//  1. approve: a `key` action waits for a reviewer (the policy sends every key
//     to approval). Time from the Approve click in the console (Chromium via
//     puppeteer-core, the session page open and showing the approval) to the
//     agent's reply on agent.sock (the action ran), against the time from
//     {"type":"approve"} written on review.sock (what `deskbox approve` sends,
//     a new connection each time) to that reply. Rounds alternate the two.
//  2. live view: a host-side X client (bench/console_draw.py, in the session's
//     network namespace) fills a rectangle of the root window; the page reads
//     the noVNC canvas in a requestAnimationFrame loop and stamps when the
//     rectangle shows the new colour. Latency = that stamp minus the moment
//     XSync returned (both wall clock, one host). Then a steady change at 60 Hz
//     for a few seconds: canvas updates per second of the rectangle.
//
// One session (`deskbox run`, an xterm), one `deskbox console --listen
// 127.0.0.1:0`, one reviewer token. Needs root, Debian's chromium, xterm and
// tests/clients/node_modules (packaging/install-test-clients.sh).
//
//   sudo node bench/console_bench.mjs BUILD_DIR [ROUNDS] [FPS_SECONDS]
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const puppeteer = require(path.join(source, 'tests/clients/node_modules/puppeteer-core'));

const build = path.resolve(process.argv[2] || 'build');
const rounds = Number(process.argv[3] || 30);
const fpsSeconds = Number(process.argv[4] || 5);
const deskbox = path.join(build, 'deskbox');
const name = 'bench-console';
const timeout = 60000;
// The rectangle drawn on the root window, clear of the xterm at the top left.
const rect = { x: 800, y: 450, w: 240, h: 160 };

function fail(message) {
  throw new Error(message);
}
const now = () => Number(process.hrtime.bigint()) / 1e6;  // CLOCK_MONOTONIC, ms
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// Resolves with the first match of `re` in a child's output (stdout or stderr), or fails after `ms`.
function waitOutput(child, re, ms, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no '${re}' within ${ms} ms; output:\n${seen}`)), ms);
    const look = (chunk) => {
      seen += chunk;
      const m = seen.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) before '${re}'; output:\n${seen}`)));
  });
}

// JSON lines over a Unix socket; reply handlers are stamped when the line arrives.
class LineSocket {
  constructor(file) {
    this.file = file;
    this.waiting = [];
    this.buffer = '';
  }
  open() {
    return new Promise((resolve, reject) => {
      this.sock = net.createConnection(this.file, resolve);
      this.sock.once('error', reject);
      this.sock.setEncoding('utf8');
      this.sock.on('data', (chunk) => {
        const at = now();
        this.buffer += chunk;
        for (let i; (i = this.buffer.indexOf('\n')) >= 0;) {
          const line = this.buffer.slice(0, i);
          this.buffer = this.buffer.slice(i + 1);
          const next = this.waiting.shift();
          if (next) next({ at, reply: JSON.parse(line) });
        }
      });
    });
  }
  nextLine() {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.file}: no reply within ${timeout} ms`)), timeout);
      this.waiting.push((r) => { clearTimeout(timer); resolve(r); });
    });
  }
  send(obj) {
    this.sock.write(JSON.stringify(obj) + '\n');
  }
  close() { this.sock.end(); }
}

function summary(values) {
  const v = [...values].sort((a, b) => a - b);
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { median, p10: q(0.1), p90: q(0.9), min: v[0], max: v[v.length - 1], n: v.length };
}
const fmt = (s) => `median ${s.median.toFixed(1)} ms  p10 ${s.p10.toFixed(1)}  p90 ${s.p90.toFixed(1)}  ` +
  `min ${s.min.toFixed(1)}  max ${s.max.toFixed(1)}  (n=${s.n})`;

function writeSession(work) {
  const policy = path.join(work, 'policy.yaml');
  fs.writeFileSync(policy, `version: 1
default: deny
rules:
  - {name: keys need a reviewer, when: {action: key}, decision: approve}
  - {name: looking, when: {action: [screenshot, wait, mouse_move]}, decision: allow}
`);
  const manifest = path.join(work, name + '.yaml');
  fs.writeFileSync(manifest, `session: {name: ${name}, display: {width: 1280, height: 800}, budget: {actions_per_second: 0}}
sandbox: {memory: 1G, pids: 512}
apps:
  - {name: term, exec: [xterm, -title, bench-term, -geometry, 80x24+0+0], ready: {title: bench-term, timeout: 60s}}
policy: ${policy}
review: {vnc: {enabled: true}, approval_timeout: 5m}
`);
  return manifest;
}

async function logIn(page, base, token) {
  await page.goto(base + '/login', { waitUntil: 'load' });
  await page.type('input[name=token]', token);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.login button')]);
  if (!(await page.$('header'))) fail('the login did not reach the console');
}

// The colour the rectangle is left with between measurements.
const rest = [40, 160, 90];
const hexOf = (rgb) => rgb.map((c) => c.toString(16).padStart(2, '0')).join('');

// The live view is connected and its canvas shows the rectangle in `rgb`
// (exact values may be altered by the encoding).
async function liveViewShows(page, rgb) {
  await page.waitForSelector('#screen[data-connected="1"] canvas', { timeout });
  await page.waitForFunction((r, rgb) => {
    const d = document.querySelector('#screen canvas').getContext('2d').getImageData(r.x + (r.w >> 1), r.y + (r.h >> 1), 1, 1).data;
    return Math.abs(d[0] - rgb[0]) <= 8 && Math.abs(d[1] - rgb[1]) <= 8 && Math.abs(d[2] - rgb[2]) <= 8;
  }, { timeout, polling: 50 }, rect, rgb);
}

// In the page: every animation frame, the colour at the middle of the
// rectangle; a change is stamped (wall clock, ms) with the new colour.
function watchCanvas(r) {
  const c = document.querySelector('#screen canvas');
  const ctx = c.getContext('2d');
  const w = (window.__watch = { changes: [], frames: 0, last: '' });
  const cx = r.x + (r.w >> 1), cy = r.y + (r.h >> 1);
  const frame = () => {
    const d = ctx.getImageData(cx, cy, 1, 1).data;
    const key = d[0] + ',' + d[1] + ',' + d[2];
    w.frames++;
    if (key !== w.last) {
      w.changes.push([performance.timeOrigin + performance.now(), d[0], d[1], d[2]]);
      w.last = key;
    }
    if (!w.stop) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function liveView(page, draw, drawLine) {
  await page.evaluate(watchCanvas, rect);
  const latencies = [];
  for (let i = 0; i < rounds; i++) {
    // Colours far apart from one round to the next (exact values may be altered by the encoding).
    const rgb = [(i * 97 + 60) % 256, (i * 53 + 120) % 256, i % 2 ? 30 : 220];
    const since = await page.evaluate(() => window.__watch.changes.length);
    draw.stdin.write(`fill ${rect.x} ${rect.y} ${rect.w} ${rect.h} ${hexOf(rgb)}\n`);
    const drawnAt = Number(await drawLine());
    const handle = await page.waitForFunction((since, rgb) => {
      const found = window.__watch.changes.slice(since).find((c) =>
        Math.abs(c[1] - rgb[0]) <= 8 && Math.abs(c[2] - rgb[1]) <= 8 && Math.abs(c[3] - rgb[2]) <= 8);
      return found ? found[0] : null;
    }, { timeout, polling: 20 }, since, rgb);
    latencies.push((await handle.jsonValue()) - drawnAt);
    // A quiet gap, so that each change starts from an idle viewer (pacing, not a readiness wait).
    await new Promise((r) => setTimeout(r, 150));
  }
  // A steady 60 Hz change: how many distinct pictures of the rectangle the canvas shows per second.
  const before = await page.evaluate(() => ({ n: window.__watch.changes.length, frames: window.__watch.frames, t: performance.now() }));
  draw.stdin.write(`run ${rect.x} ${rect.y} ${rect.w} ${rect.h} 60 ${fpsSeconds}\n`);
  const drawn = Number(await drawLine());
  const after = await page.evaluate(() => ({ n: window.__watch.changes.length, frames: window.__watch.frames, t: performance.now() }));
  await page.evaluate(() => { window.__watch.stop = true; });
  draw.stdin.write(`fill ${rect.x} ${rect.y} ${rect.w} ${rect.h} ${hexOf(rest)}\n`);
  await drawLine();
  const seconds = (after.t - before.t) / 1000;
  return {
    latency: summary(latencies),
    canvasFps: (after.n - before.n) / seconds,
    rafFps: (after.frames - before.frames) / seconds,
    drawnFps: drawn / fpsSeconds,
  };
}

async function approvals(page, dir) {
  const agent = new LineSocket(path.join(dir, 'agent.sock'));
  await agent.open();
  // The keys go to the xterm: the pointer over it (no window manager gives it focus otherwise).
  agent.send({ action: 'mouse_move', coordinate: [100, 100] });
  const moved = (await agent.nextLine()).reply;
  if (!moved.ok) fail('mouse_move failed: ' + JSON.stringify(moved));
  const viaConsole = [], viaDriver = [], viaSocket = [], postToAnswer = [], submitToPost = [];
  // The console's own share: the decision's POST sent -> its 303's headers, as Chromium times them.
  // Chromium's requestTime is on its TimeTicks clock, CLOCK_MONOTONIC on Linux as now() here: so the
  // submit -> POST sent gap (form submission, the old page's unload) is measured too.
  let postTime = NaN, postSent = NaN;
  page.on('response', (r) => {
    const t = r.url().endsWith('/decide') && r.timing();
    if (t) { postTime = t.receiveHeadersEnd - t.sendStart; postSent = t.requestTime * 1000 + t.sendStart; }
  });
  for (let i = 0; i < 2 * rounds; i++) {
    const useConsole = i % 2 === 0;
    agent.send({ action: 'key', text: 'a' });
    const pending = (await agent.nextLine()).reply;
    const id = pending.approval_id;
    if (!pending.pending || !id) fail('the key action did not wait for a reviewer: ' + JSON.stringify(pending));
    const done = agent.nextLine();
    let t0, submitAt = 0;
    if (useConsole) {
      // The page (reloaded after the last decision) shows this approval with its picture and the live view
      // has its first frame again: the page is at rest, as when a person has looked before clicking.
      const button = `#approval-${id} button.approve`;
      await page.waitForSelector(button, { timeout });
      await page.waitForFunction((id) => {
        const img = document.querySelector(`#approval-${id} img.observation`);
        return img && img.complete && img.naturalWidth > 0;
      }, { timeout }, id);
      await liveViewShows(page, rest);
      // The click as the page gets it: the form's submit event, stamped (wall clock) in sessionStorage,
      // which outlives the navigation the form starts.
      await page.evaluate(() => document.addEventListener('submit', () =>
        sessionStorage.setItem('submitAt', String(performance.timeOrigin + performance.now())), true));
      t0 = now();
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(button)]);
      submitAt = Number(await page.evaluate(() => sessionStorage.getItem('submitAt')));
    } else {
      const review = new LineSocket(path.join(dir, 'review.sock'));
      t0 = now();
      await review.open();
      review.send({ type: 'approve', approval: id, note: 'bench' });
      const r = (await review.nextLine()).reply;
      review.close();
      if (r.ok === false || r.error) fail('review.sock refused the approval: ' + JSON.stringify(r));
    }
    const { at, reply } = await done;
    if (!reply.ok) fail('the approved key did not run: ' + JSON.stringify(reply));
    (useConsole ? viaDriver : viaSocket).push(at - t0);
    if (useConsole) {
      // The agent's reply in the page's clock (timeOrigin + now, as the browser stamped the submit),
      // from its monotonic stamp: both of this process's clocks are read together here.
      const atWall = performance.timeOrigin + performance.now() - (now() - at);
      viaConsole.push(atWall - submitAt);
      postToAnswer.push(postTime);
      submitToPost.push(postSent - (at - (atWall - submitAt)));
      postTime = postSent = NaN;
    }
  }
  agent.close();
  return { console: summary(viaConsole), driver: summary(viaDriver), socket: summary(viaSocket), postToAnswer: summary(postToAnswer),
    submitToPost: summary(submitToPost) };
}

async function main() {
  if (process.getuid() !== 0) fail('run as root (deskbox run needs it)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'console-bench-'));
  const env = { ...process.env, DESKBOX_RUNTIME_DIR: path.join(work, 'run'), DESKBOX_STATE_DIR: path.join(work, 'state'),
    DESKBOX_TOKEN_DIR: path.join(work, 'tokens') };
  const children = [];
  let browser;
  try {
    const loadBefore = loadavg();
    const session = spawn(deskbox, ['run', writeSession(work)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(session);
    await waitOutput(session, /ready on display/, 120000, 'deskbox run');
    const dir = path.join(work, 'run', name);
    const token = execFileSync(deskbox, ['console', 'token', 'add', 'bench'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0];
    const consoleProc = spawn(deskbox, ['console', '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(consoleProc);
    const base = (await waitOutput(consoleProc, /listening on (http:\/\/127\.0\.0\.1:[0-9]+)\//, 30000, 'deskbox console'))[1];

    const init = JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8')).sandbox.init_pid;
    const draw = spawn('nsenter', [`--net=/proc/${init}/ns/net`, 'env', 'DISPLAY=:0', `XAUTHORITY=${dir}/sandbox/Xauthority`,
      'python3', path.join(source, 'bench/console_draw.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(draw);
    const lines = [];
    let waiter = null, partial = '';
    draw.stdout.setEncoding('utf8');
    draw.stdout.on('data', (chunk) => {
      partial += chunk;
      for (let i; (i = partial.indexOf('\n')) >= 0;) {
        lines.push(partial.slice(0, i));
        partial = partial.slice(i + 1);
      }
      if (waiter && lines.length) { const w = waiter; waiter = null; w(lines.shift()); }
    });
    const drawLine = () => new Promise((resolve, reject) => {
      if (lines.length) return resolve(lines.shift());
      const timer = setTimeout(() => reject(new Error('console_draw.py did not answer')), timeout + fpsSeconds * 1000);
      waiter = (l) => { clearTimeout(timer); l.startsWith('error') ? reject(new Error(l)) : resolve(l); };
    });
    if ((await drawLine()) !== 'ready') fail('console_draw.py did not start');

    browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
      userDataDir: path.join(work, 'chromium-profile'), args: ['--no-sandbox', '--disable-gpu', '--window-size=1400,1000'],
      defaultViewport: { width: 1400, height: 1000 } });
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    await logIn(page, base, token);
    await page.goto(base + '/session/' + name, { waitUntil: 'load' });
    draw.stdin.write(`fill ${rect.x} ${rect.y} ${rect.w} ${rect.h} ${hexOf(rest)}\n`);
    await drawLine();
    await liveViewShows(page, rest);

    const live = await liveView(page, draw, drawLine);
    const approve = await approvals(page, dir);
    const loadAfter = loadavg();

    console.log(`load average before: ${loadBefore}, after: ${loadAfter}; ${os.cpus().length} CPUs`);
    console.log(`approve -> action ran, console click:  ${fmt(approve.console)}`);
    console.log(`  from puppeteer's page.click() call:  ${fmt(approve.driver)}`);
    console.log(`approve -> action ran, review.sock:    ${fmt(approve.socket)}`);
    console.log(`  submit -> the POST sent (Chromium):  ${fmt(approve.submitToPost)}`);
    console.log(`  the POST -> its 303 (Chromium):      ${fmt(approve.postToAnswer)}`);
    console.log(`console minus review.sock (medians):   ${(approve.console.median - approve.socket.median).toFixed(1)} ms (goal <= 50 ms)`);
    console.log(`screen change -> live view canvas:     ${fmt(live.latency)}`);
    console.log(`steady change at ${live.drawnFps.toFixed(1)} Hz: canvas shows ${live.canvasFps.toFixed(1)} updates/s ` +
      `(page animation frames ${live.rafFps.toFixed(1)}/s)`);
    console.log(JSON.stringify({ loadBefore, loadAfter, rounds, approve, live }));
  } finally {
    if (browser) await browser.close();
    for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
    const session = children[children.length - 1];
    if (session && session.exitCode === null) await new Promise((r) => { session.once('exit', r); setTimeout(r, 30000); });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error('console_bench: ' + (e && e.stack || e));
  process.exit(1);
});

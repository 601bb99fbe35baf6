#include "supervisor/console/assets.h"

namespace deskbox::console {

const std::string_view kConsoleCss = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
header { display: flex; gap: 1em; align-items: center; padding: .6em 1.2em; background: #1b2a3a; color: #fff; }
header a.brand { color: #fff; font-weight: 600; text-decoration: none; margin-right: auto; }
header button { font-size: 12px; }
main { padding: 1em 1.5em; max-width: 1400px; }
h1 { font-size: 1.5em; margin: .3em 0 .6em; }
h2 { font-size: 1.15em; margin: 1.2em 0 .5em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e4e8ec; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.tainted, span.tainted { color: #a40e26; font-weight: 600; }
td.pending { color: #9a6700; font-weight: 700; }
form.inline { display: inline; }
form.control button { margin-right: .5em; padding: .4em .9em; }
#control-stop { background: #a40e26; color: #fff; border: 1px solid #7d0a1d; }
article.approval { background: #fff; border: 2px solid #d4a72c; border-radius: 6px; padding: .6em 1em; margin-bottom: 1em; }
article.approval h3 { margin: .2em 0 .5em; }
.approval-body { display: flex; gap: 1.2em; flex-wrap: wrap; align-items: flex-start; }
figure { margin: 0; max-width: 60%; }
img.observation { max-width: 100%; border: 1px solid #888; display: block; }
img.thumb { width: 160px; height: auto; border: 1px solid #bbb; display: block; margin-top: .3em; }
figcaption { font-size: 12px; color: #57606a; }
dl.words { display: grid; grid-template-columns: max-content 1fr; gap: .2em .8em; margin: 0; min-width: 18em; flex: 1; }
dl.words dt { font-weight: 600; color: #57606a; }
dl.words dd { margin: 0; word-break: break-word; }
form.decide { margin-top: .6em; }
form.decide input[type=text] { width: 24em; }
button.approve { background: #1a7f37; color: #fff; border: 1px solid #116329; padding: .4em 1em; }
button.deny { background: #a40e26; color: #fff; border: 1px solid #7d0a1d; padding: .4em 1em; }
p.verified { color: #1a7f37; font-weight: 600; }
p.broken, p.error { color: #a40e26; font-weight: 600; }
pre.message { background: #fff; padding: .8em; border: 1px solid #d0d7de; white-space: pre-wrap; }
#screen { background: #000; display: block; width: 100%; max-width: 1280px; aspect-ratio: 16 / 10; }
.hint { color: #57606a; font-size: 12px; }
table.timeline td:nth-child(1), table.timeline td:nth-child(2) { white-space: nowrap; font-family: monospace; }
)CSS";

// Confirmation for the kill switch; live updates of the approvals and the
// timeline (the parts are fetched again and swapped in when they changed,
// leaving a note being typed alone unless the set of approvals changed).
const std::string_view kConsoleJs = R"JS(
'use strict';
document.addEventListener('submit', (ev) => {
  const msg = ev.target.dataset && ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});
(function poll() {
  const holder = document.getElementById('live-parts');
  if (!holder) return;
  const url = holder.dataset.poll;
  async function tick() {
    try {
      const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (r.status === 401) { window.location.reload(); return; }
      if (r.ok) {
        const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        for (const [id, key] of [['approvals', 'ids'], ['timeline', 'lastSeq']]) {
          const now = document.getElementById(id), next = doc.getElementById(id);
          if (now && next && now.dataset[key] !== next.dataset[key]) now.replaceWith(next);
        }
      }
    } catch (e) { /* the console restarted or the network blinked: try again */ }
    setTimeout(tick, 1000);
  }
  setTimeout(tick, 1000);
})();
)JS";

const std::string_view kLiveViewJs = R"JS(
import RFB from '/novnc/core/rfb.js';
const screen = document.getElementById('screen');
const status = document.getElementById('live-status');
if (screen) {
  const scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
  const rfb = new RFB(screen, scheme + window.location.host + screen.dataset.ws, {
    credentials: { password: screen.dataset.password || '' },
    wsProtocols: ['binary'],
  });
  rfb.viewOnly = screen.dataset.viewOnly !== 'false';
  rfb.scaleViewport = true;
  rfb.qualityLevel = 9;
  rfb.addEventListener('connect', () => { status.textContent = 'live, ' + (rfb.viewOnly ? 'view only' : 'in control'); screen.dataset.connected = '1'; });
  rfb.addEventListener('disconnect', (e) => { status.textContent = 'disconnected' + (e.detail.clean ? '' : ' (error)'); screen.dataset.connected = '0'; });
  rfb.addEventListener('credentialsrequired', () => { status.textContent = 'the session asked for a password the console does not have'; });
}
)JS";

}  // namespace deskbox::console

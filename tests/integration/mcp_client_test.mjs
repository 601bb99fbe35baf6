// The official MCP TypeScript SDK (tests/clients, pinned) against `deskbox mcp`
// serving a real session: over stdio (the SDK spawns the server), over
// Streamable HTTP on TCP with a bearer token from `deskbox token add`, and
// over HTTP on a Unix socket (node's http with socketPath). Run by
// mcp_session_test.cc, which starts the session and reads the audit log after.
//
// Environment: DESKBOX_BIN, DESKBOX_SOURCE_ROOT, DESKBOX_RUNTIME_DIR,
// DESKBOX_STATE_DIR, DESKBOX_TOKEN_DIR, MCP_SESSION (session name),
// MCP_AUDIT (its audit.jsonl), MCP_UNIX_SOCKET (where the Unix listener goes).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through mcp_session_test)`);
  return value;
};
const bin = env('DESKBOX_BIN');
const session = env('MCP_SESSION');
const audit = env('MCP_AUDIT');
const sdk = path.join(env('DESKBOX_SOURCE_ROOT'), 'tests/clients/node_modules/@modelcontextprotocol/sdk/dist/esm');
const load = (file) => import(pathToFileURL(path.join(sdk, file)).href);
const { Client } = await load('client/index.js');
const { StdioClientTransport } = await load('client/stdio.js');
const { StreamableHTTPClientTransport } = await load('client/streamableHttp.js');

const kTools = ['click', 'click_element', 'cursor_position', 'drag', 'key', 'mouse_move', 'screenshot', 'scroll',
  'status', 'tree', 'type', 'type_into', 'wait', 'zoom'];

const log = (line) => process.stdout.write(`mcp-test: ${line}\n`);
const deskbox = async (...args) => (await run(bin, args, { env: process.env })).stdout;
const auditRecords = (type) => fs.readFileSync(audit, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  .filter((r) => r.type === type);

// The PNG's signature and its IHDR size, from the base64 the tool returned.
function pngSize(base64) {
  const png = Buffer.from(base64, 'base64');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

// What every transport must do, with `agent` as the name the audit log records.
async function exercise(client, agent) {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), kTools);
  const click = tools.find((t) => t.name === 'click');
  assert.deepEqual(click.inputSchema.required, ['x', 'y']);

  const shot = await client.callTool({ name: 'screenshot', arguments: {} });
  assert.equal(shot.isError, false);
  assert.equal(shot.content[0].type, 'image');
  assert.equal(shot.content[0].mimeType, 'image/png');
  assert.deepEqual(pngSize(shot.content[0].data), [1024, 768]);

  // Keys go to the window under the pointer (no window manager): note where it
  // starts, over the dialog, to come back there before typing.
  const home = /^X=(\d+),Y=(\d+)$/.exec((await client.callTool({ name: 'cursor_position', arguments: {} })).content[0].text);
  assert.ok(home, 'cursor_position answers X=..,Y=..');

  const before = auditRecords('proposal').length;
  const clicked = await client.callTool({ name: 'click', arguments: { x: 1000, y: 700 } });
  assert.equal(clicked.isError, false, JSON.stringify(clicked));
  const proposal = auditRecords('proposal').slice(before).find((r) => r.data.action.kind === 'click');
  assert.ok(proposal, 'the click is audited');
  assert.equal(proposal.data.agent, agent);
  const cursor = await client.callTool({ name: 'cursor_position', arguments: {} });
  assert.equal(cursor.content[0].text, 'X=1000,Y=700');
  const back = await client.callTool({ name: 'mouse_move', arguments: { x: Number(home[1]), y: Number(home[2]) } });
  assert.equal(back.isError, false, JSON.stringify(back));

  const denied = await client.callTool({ name: 'type', arguments: { text: 'forbidden words' } });
  assert.equal(denied.isError, true);
  assert.match(denied.content[0].text, /refused by policy rule 'no forbidden words'/);

  // A reviewer decides: the call stays open, progress says which approval, the test approves it.
  const progress = [];
  let approving;
  const approved = await client.callTool({ name: 'type', arguments: { text: `needs-review ${agent} ` } }, undefined, {
    timeout: 120_000,
    onprogress: (p) => {
      progress.push(p);
      const id = /approval (\S+),/.exec(p.message ?? '')?.[1];
      if (id && !approving) approving = deskbox('approve', '-s', session, id, '--note', `mcp test ${agent}`);
    },
  });
  assert.ok(approving, `a progress notification named the approval: ${JSON.stringify(progress)}`);
  await approving;
  assert.equal(approved.isError, false, JSON.stringify(approved));
  assert.match(progress[0].message, /waiting for a reviewer: approval \S+, rule 'ask a reviewer'/);
  log(`${agent}: tools, screenshot, click, denial and approval pass`);
}

// Starts `deskbox mcp --http ADDR` and waits for the line with the address it took.
async function startHttp(address) {
  const child = spawn(bin, ['mcp', '-s', session, '--http', address], { env: process.env, stdio: ['ignore', 'inherit', 'pipe'] });
  let err = '';
  const bound = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /listening on (\S+) /.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`deskbox mcp --http exited ${code}: ${err}`)));
  });
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  return { child, bound };
}

async function stop(child) {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, 'deskbox mcp --http exits 0 on SIGTERM');
}

// One raw request on a Unix socket; resolves {status, headers, body}.
function unixRequest(socketPath, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/mcp', method, headers }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// --- stdio -----------------------------------------------------------------
{
  const client = new Client({ name: 'deskbox-test', version: '1.0.0' });
  const transport = new StdioClientTransport({ command: bin, args: ['mcp', '-s', session, '--agent', 'stdio-agent'], env: process.env });
  await client.connect(transport);
  assert.equal(client.getServerVersion().name, 'deskbox');
  await exercise(client, 'stdio-agent');
  await client.close();
}

// --- Streamable HTTP on TCP ----------------------------------------------------
{
  const token = (await deskbox('token', 'add', 'http-agent')).trim();
  assert.match(token, /^dbx_agent_/);
  const { child, bound } = await startHttp('127.0.0.1:0');
  const url = new URL(`http://${bound}/mcp`);
  const client = new Client({ name: 'deskbox-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  await exercise(client, 'http-agent');

  const actions = auditRecords('proposal').length;
  // No token: 401 with a challenge, from the SDK and from plain fetch.
  const anonymous = new Client({ name: 'deskbox-test', version: '1.0.0' });
  await assert.rejects(anonymous.connect(new StreamableHTTPClientTransport(url)), /401|Unauthorized/);
  const raw = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'click', arguments: { x: 5, y: 5 } } }),
  });
  assert.equal(raw.status, 401);
  assert.match(raw.headers.get('www-authenticate'), /^Bearer realm="deskbox-mcp"/);
  // Revoked: the very next request of the open session is refused.
  await deskbox('token', 'revoke', 'http-agent');
  await assert.rejects(client.callTool({ name: 'click', arguments: { x: 10, y: 10 } }), /401|Unauthorized/);
  const again = new Client({ name: 'deskbox-test', version: '1.0.0' });
  await assert.rejects(again.connect(new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } } })), /401|Unauthorized/);
  assert.equal(auditRecords('proposal').length, actions, 'nothing refused at the door is audited as an action');
  log('http: 401 without a token and with a revoked one, nothing audited');
  await stop(child);
}

// --- Streamable HTTP on a Unix socket (plain JSON responses) -------------------
{
  const token = (await deskbox('token', 'add', 'unix-agent')).trim();
  const socketPath = env('MCP_UNIX_SOCKET');
  const { child, bound } = await startHttp(`unix:${socketPath}`);
  assert.equal(bound, `unix:${socketPath}`);
  assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
  const json = { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` };
  const init = await unixRequest(socketPath, 'POST', json, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
  assert.equal(init.status, 200, init.body);
  assert.equal(JSON.parse(init.body).result.protocolVersion, '2025-06-18');
  const sid = init.headers['mcp-session-id'];
  assert.match(sid, /^[0-9a-f]{32}$/);
  const headers = { ...json, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-06-18' };
  const before = auditRecords('proposal').length;
  const call = await unixRequest(socketPath, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call',
    params: { name: 'click', arguments: { x: 990, y: 690 } } }));
  assert.equal(call.status, 200, call.body);
  assert.equal(call.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(call.body).result.isError, false, call.body);
  assert.equal(auditRecords('proposal').slice(before).find((r) => r.data.action.kind === 'click')?.data.agent, 'unix-agent');
  const anonymous = await unixRequest(socketPath, 'POST', { 'Content-Type': 'application/json' }, '{}');
  assert.equal(anonymous.status, 401);
  assert.equal((await unixRequest(socketPath, 'DELETE', headers, '')).status, 200);
  log('unix: initialize, click audited as unix-agent, 401 without a token');
  await stop(child);
  assert.ok(!fs.existsSync(socketPath), 'the socket file is removed at exit');
}
log('all passed');

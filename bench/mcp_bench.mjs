// Round trip of a click and of a screenshot through MCP over stdio and over
// Streamable HTTP (the official TypeScript SDK client, as agents use it),
// beside the same requests on agent.sock (one open connection, JSON lines,
// from the same node process), on a running session. Prints medians, p10 and
// p90 in ms, as JSON. Run by bench/mcp_bench.sh.
// Usage: node mcp_bench.mjs SESSION AGENT_SOCK HTTP_URL TOKEN RUNS
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const [session, agentSock, httpUrl, token, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 200);
const sdk = path.join(path.dirname(fileURLToPath(import.meta.url)), '../tests/clients/node_modules/@modelcontextprotocol/sdk/dist/esm');
const load = (file) => import(pathToFileURL(path.join(sdk, file)).href);
const { Client } = await load('client/index.js');
const { StdioClientTransport } = await load('client/stdio.js');
const { StreamableHTTPClientTransport } = await load('client/streamableHttp.js');

// The same click every time, in the empty bottom-right corner; the pointer
// is already there after the first, so the screen does not change.
const click = { x: 1000, y: 700 };

async function time(fn) {
  for (let i = 0; i < 5; i++) await fn();  // warm-up
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

// agent.sock: one request line out, one reply line in.
function agentSocket() {
  const sock = net.createConnection(agentSock);
  let buffer = '';
  let waiting = null;
  sock.on('data', (chunk) => {
    buffer += chunk;
    const nl = buffer.indexOf('\n');
    if (nl >= 0 && waiting) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const w = waiting;
      waiting = null;
      w(JSON.parse(line));
    }
  });
  const call = (request) => new Promise((resolve) => { waiting = resolve; sock.write(JSON.stringify(request) + '\n'); });
  return { call, close: () => sock.end() };
}

const results = {};
const check = (ok, what) => { if (!ok) throw new Error(`${what} failed`); };

{
  const a = agentSocket();
  await a.call({ id: 0, action: 'identify', agent: 'bench' });
  results['agent.sock click'] = await time(async () =>
    check((await a.call({ id: 1, dialect: 'anthropic', action: 'left_click', coordinate: [click.x, click.y] })).ok, 'click'));
  results['agent.sock screenshot'] = await time(async () =>
    check((await a.call({ id: 2, dialect: 'deskbox', action: 'screenshot' })).ok, 'screenshot'));
  a.close();
}
async function mcp(label, transport) {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  results[`${label} click`] = await time(async () =>
    check(!(await client.callTool({ name: 'click', arguments: click })).isError, 'click'));
  results[`${label} screenshot`] = await time(async () =>
    check(!(await client.callTool({ name: 'screenshot', arguments: {} })).isError, 'screenshot'));
  await client.close();
}
await mcp('MCP stdio', new StdioClientTransport({ command: process.env.DESKBOX_BIN, args: ['mcp', '-s', session, '--agent', 'bench'], env: process.env }));
await mcp('MCP HTTP', new StreamableHTTPClientTransport(new URL(httpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
console.log(JSON.stringify(results));

/**
 * Adapter overhead, measured (run with MDMCA_MEASURE=1 npx vitest run simulators/http.measure.test.ts).
 *
 * A keep-alive load generator on raw sockets runs in a worker thread (so it has its own core and costs far less
 * per request than fetch would), against: a bare node:http server, express with a native handler, and listen()
 * with a trivial Fetch handler (with and without express). Skipped in normal runs: it takes ~90 s and its
 * numbers depend on the machine (and on whoever else is using it: read the "best" column on a shared box).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { transpileForChild } from './transpile.test-support.js';

const LOADGEN = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { port, connections, durationMs, request } = workerData;
let done = 0, open = connections, stopAt = Date.now() + durationMs;
for (let c = 0; c < connections; c++) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let buf = '';
  const send = () => socket.write(request);
  socket.on('connect', send);
  socket.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    for (;;) {
      const head = buf.indexOf('\\r\\n\\r\\n');
      if (head === -1) return;
      const m = /content-length: *(\\d+)/i.exec(buf.slice(0, head));
      if (!m) throw new Error('response without content-length: ' + buf.slice(0, head));
      const total = head + 4 + Number(m[1]);
      if (buf.length < total) return;
      buf = buf.slice(total);
      done++;
      if (Date.now() < stopAt) send();
      else { socket.end(); if (--open === 0) parentPort.postMessage(done); return; }
    }
  });
  socket.on('error', (e) => { throw e; });
}`;

const CHILD = `
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import express from 'express';
import { createRequestListener, listen } from './simulators/http.js';

const LOADGEN = ${JSON.stringify(LOADGEN)};
const [seconds, rounds, connections] = process.argv.slice(2).map(Number);

function load(port, secs) {
  const request = 'GET /bench/ok?x=1 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUser-Agent: loadgen\\r\\nAccept: */*\\r\\n\\r\\n';
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOADGEN, { eval: true, workerData: { port, connections, durationMs: secs * 1000, request } });
    worker.once('message', (n) => { resolve(n / secs); void worker.terminate(); });
    worker.once('error', reject);
  });
}
const serve = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

const native = (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }); res.end('ok'); };
const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(native);
const handler = async () => new Response('ok', { headers: { 'content-type': 'text/plain' } });
const mounts = [{ name: 'bench', prefix: '/bench', handler }];
const adapter = await listen({ mounts });
const withSignal = await listen({ mounts: [{ ...mounts[0], abortOnDisconnect: true }] });
const targets = [
  ['bare node:http', await serve(http.createServer(native))],
  ['express, native handler', await serve(http.createServer(app))],
  ['node:http + Fetch bridge', await serve(http.createServer(createRequestListener(mounts)))],
  ['listen() (express + bridge)', Number(new URL(adapter.httpUrl).port)],
  ['listen(), abortOnDisconnect', Number(new URL(withSignal.httpUrl).port)],
];
for (const [, port] of targets) await load(port, 1); // warm up the JIT
const results = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, port] of targets) (results[name] ??= []).push(await load(port, seconds));
}
process.stdout.write(JSON.stringify(results));
process.exit(0);
`;

describe.skipIf(!process.env.MDMCA_MEASURE)('adapter overhead', () => {
  it('requests/s: bare node:http vs express vs listen() with a Fetch handler', { timeout: 300_000 }, async () => {
    // A plain node process, not this vitest worker: the test runner's instrumentation costs more than the adapter.
    const child = transpileForChild([
      'core/http.ts',
      'core/clock.ts',
      'simulators/body.ts',
      'simulators/faults.ts',
      'simulators/mounts.ts',
      'simulators/msw.ts',
      'simulators/node-bridge.ts',
      'simulators/http.ts',
    ]);
    onTestFinished(() => child.dispose());
    const script = child.write('bench.js', CHILD);
    const args = (process.env.MDMCA_MEASURE_ARGS ?? '2 7 32').split(' ');
    const { stdout } = await promisify(execFile)(process.execPath, [script, ...args], { maxBuffer: 1 << 20 });
    const results = JSON.parse(stdout) as Record<string, number[]>;

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = median(results['bare node:http']!);
    const best = (xs: number[]) => Math.max(...xs);
    const bestBase = best(results['bare node:http']!);
    const lines = Object.entries(results).map(([name, rates]) => {
      const m = median(rates);
      const b = best(rates);
      return (
        `${name.padEnd(30)} median ${Math.round(m).toString().padStart(6)} req/s (${((m / base) * 100).toFixed(0)}%, +${(1e6 / m - 1e6 / base).toFixed(1)} µs)` +
        `   best ${Math.round(b).toString().padStart(6)} req/s (${((b / bestBase) * 100).toFixed(0)}%, +${(1e6 / b - 1e6 / bestBase).toFixed(1)} µs)`
      );
    });
    console.log(`\n${args.join(' ')} (seconds, rounds, connections); % and µs/request relative to bare node:http\n${lines.join('\n')}`);
    expect(base).toBeGreaterThan(0);
  });
});

/**
 * The process our SCEP CA runs in during a benchmark, so the load generator does not share its event loop:
 * `node server-main.js '<json BenchServerMainConfig>'`. With workers > 1 it is a node:cluster primary that forks
 * that many workers, each loading the same test PKI and listening on the shared port (the primary hands out
 * connections round-robin); with SQLite they share one file.
 *
 * Protocol on stdout, one JSON object per line: {"event":"listening","scepUrl","vendorUrls"?,"pids"} once every worker
 * listens; at shutdown {"event":"timings",...} (bare server only); {"event":"error","message"} on failure.
 * It shuts down on SIGTERM, or when its stdin closes (the benchmark that started it is gone).
 */
import cluster from 'node:cluster';
import { addTimings, type BenchServerConfig, emptyTimings, startBenchServer, type TimingTotals, type VendorUrls } from './bench-server.js';

export interface BenchServerMainConfig extends BenchServerConfig {
  workers: number;
}

type WorkerMessage =
  | { event: 'listening'; scepUrl: string; vendorUrls?: VendorUrls; pid: number }
  | { event: 'timings'; timings?: TimingTotals }
  | { event: 'error'; message: string };

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

function onShutdownRequest(shutdown: () => void): void {
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdin.resume();
  process.stdin.once('end', shutdown);
  process.stdin.once('error', shutdown);
}

async function runPrimary(config: BenchServerMainConfig): Promise<void> {
  const pids: number[] = [process.pid];
  let scepUrl = '';
  let vendorUrls: VendorUrls | undefined;
  const totals = emptyTimings();
  let withTimings = false;
  const workers = Array.from({ length: config.workers }, () => cluster.fork());
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on('message', (message: WorkerMessage) => {
            if (message.event === 'listening') {
              scepUrl = message.scepUrl;
              vendorUrls = message.vendorUrls;
              pids.push(message.pid);
              resolve();
            } else if (message.event === 'error') reject(new Error(message.message));
            else if (message.event === 'timings' && message.timings) {
              withTimings = true;
              addTimings(totals, message.timings);
            }
          });
          worker.once('exit', (code) => reject(new Error(`a worker exited with ${code} before listening`)));
        }),
    ),
  );
  print({ event: 'listening', scepUrl, ...(vendorUrls ? { vendorUrls } : {}), pids });
  onShutdownRequest(() => {
    const exited = workers.map((worker) => new Promise((resolve) => (worker.isDead() ? resolve(undefined) : worker.once('exit', resolve))));
    for (const worker of workers) if (!worker.isDead()) worker.send({ command: 'shutdown' });
    const force = setTimeout(() => workers.forEach((worker) => worker.process.kill('SIGKILL')), 5000);
    void Promise.all(exited).then(() => {
      clearTimeout(force);
      if (withTimings) print({ event: 'timings', timings: totals });
      process.exit(0);
    });
  });
}

async function runServer(config: BenchServerMainConfig): Promise<void> {
  const server = await startBenchServer(config);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const timings = server.timings();
    const reported = cluster.isWorker
      ? new Promise<void>((resolve) => {
          const message: WorkerMessage = { event: 'timings', ...(timings ? { timings } : {}) };
          if (process.send) process.send(message, undefined, {}, () => resolve());
          else resolve();
        })
      : Promise.resolve(timings && void print({ event: 'timings', timings }));
    void Promise.all([reported, server.close()]).finally(() => process.exit(0));
  };
  if (cluster.isWorker) {
    process.on('message', (message: { command?: string }) => message?.command === 'shutdown' && shutdown());
    process.send?.({ event: 'listening', scepUrl: server.scepUrl, ...(server.vendorUrls ? { vendorUrls: server.vendorUrls } : {}), pid: process.pid } satisfies WorkerMessage);
  } else {
    print({ event: 'listening', scepUrl: server.scepUrl, ...(server.vendorUrls ? { vendorUrls: server.vendorUrls } : {}), pids: [process.pid] });
    onShutdownRequest(shutdown);
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as BenchServerMainConfig;
  try {
    if (cluster.isPrimary && config.workers > 1) await runPrimary(config);
    else await runServer(config);
  } catch (error) {
    const message = (error as Error)?.stack ?? String(error);
    if (cluster.isWorker) process.send?.({ event: 'error', message } satisfies WorkerMessage);
    else print({ event: 'error', message });
    process.exit(1);
  }
}

await main();

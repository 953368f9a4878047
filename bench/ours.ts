/**
 * Starts our SCEP CA for a benchmark: by default in a child process (bench/server-main.js, a node:cluster primary
 * when workers > 1) so the load generator does not share its event loop; in this process only when asked
 * (`inProcess`, the smoke test: Node 20 cannot run the TypeScript entry in a child). State lives in SQLite in a
 * temporary directory (removed afterwards) unless `store: 'memory'`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SigningMode } from '../core/pki/algorithms.js';
import { type BenchServerKind, startBenchServer, type TimingTotals, type VendorUrls } from './bench-server.js';
import type { BenchServerMainConfig } from './server-main.js';

export interface OurServerOptions {
  /** Processes serving (cluster workers when > 1). Ignored in process. */
  workers: number;
  challenge: string;
  server?: BenchServerKind;
  store?: 'sqlite' | 'memory';
  /** Run in this process (shares the event loop with the load generator). */
  inProcess?: boolean;
  /** Write V8 CPU profiles (--cpu-prof) of every server process here. */
  cpuProfileDir?: string;
  /** Where the server signs (core/pki/algorithms.ts setSigningMode). Default 'pool'. */
  signing?: SigningMode;
}

export interface OurServer {
  scepUrl: string;
  /** The vendor simulators' endpoints (embedded server only). */
  vendorUrls?: VendorUrls;
  /** The processes serving: primary first. This process's pid when in process. */
  pids: number[];
  inProcess: boolean;
  workers: number;
  store: 'sqlite' | 'memory';
  signing: SigningMode;
  /** Stops the server; returns the PKIOperation time split when the server measured one. */
  close(): Promise<{ timings?: TimingTotals }>;
}

export class OurServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OurServerError';
  }
}

/** The compiled child entry next to this module; undefined when running from TypeScript sources. */
export function serverMainPath(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.js')) return undefined;
  const path = join(here, '..', 'server-main.js');
  return existsSync(path) ? path : undefined;
}

export async function startOurServer(options: OurServerOptions): Promise<OurServer> {
  const store = options.store ?? 'sqlite';
  const dataDir = store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'mdmca-bench-data-')) : undefined;
  const removeData = () => dataDir && rmSync(dataDir, { recursive: true, force: true });
  const config: BenchServerMainConfig = {
    server: options.server ?? 'embedded',
    port: 0,
    challenge: options.challenge,
    workers: options.inProcess ? 1 : options.workers,
    ...(dataDir ? { dataDir } : {}),
    // In process the load generator shares the thread: keep the signatures on the pool there.
    signing: options.inProcess ? 'pool' : (options.signing ?? 'pool'),
  };
  try {
    if (options.inProcess) {
      const server = await startBenchServer(config);
      return {
        scepUrl: server.scepUrl,
        ...(server.vendorUrls ? { vendorUrls: server.vendorUrls } : {}),
        pids: [process.pid],
        inProcess: true,
        workers: 1,
        store,
        signing: 'pool',
        close: async () => {
          const timings = server.timings();
          await server.close();
          removeData();
          return timings ? { timings } : {};
        },
      };
    }
    const entry = serverMainPath();
    if (!entry) {
      throw new OurServerError('our server runs from the build in a child process: run `npm run build` first (or use it in process)');
    }
    const execArgv = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    const child = spawn(process.execPath, [...execArgv, entry, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const server = await attach(child, config.workers);
    return {
      ...server,
      inProcess: false,
      workers: config.workers,
      store,
      signing: config.signing ?? 'pool',
      close: async () => {
        const result = await server.close();
        removeData();
        return result;
      },
    };
  } catch (error) {
    removeData();
    throw error;
  }
}

interface ChildLine {
  event: string;
  scepUrl?: string;
  vendorUrls?: VendorUrls;
  pids?: number[];
  message?: string;
  timings?: TimingTotals;
}

function attach(child: ChildProcess, workers: number): Promise<Pick<OurServer, 'scepUrl' | 'vendorUrls' | 'pids' | 'close'>> {
  let stderr = '';
  let buffered = '';
  let timings: TimingTotals | undefined;
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`our server did not listen within 60 s (${workers} workers)`), 60_000);
    const fail = (message: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new OurServerError(`${message}\n${stderr}`));
    };
    child.once('exit', (code) => listening || fail(`our server exited with ${code} before listening`));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let line: ChildLine;
        try {
          line = JSON.parse(text) as ChildLine;
        } catch {
          continue; // a log line
        }
        if (line.event === 'timings') timings = line.timings;
        else if (line.event === 'error') fail(`our server failed: ${line.message}`);
        else if (line.event === 'listening' && line.scepUrl) {
          clearTimeout(timer);
          listening = true;
          resolve({
            scepUrl: line.scepUrl,
            ...(line.vendorUrls ? { vendorUrls: line.vendorUrls } : {}),
            pids: line.pids ?? [child.pid ?? 0],
            close: async () => {
              if (child.exitCode === null && child.signalCode === null) {
                child.kill('SIGTERM');
                const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
                await exited;
                clearTimeout(killer);
              }
              return timings ? { timings } : {};
            },
          });
        }
      }
    });
  });
}

/** `mdmca serve`: every simulator on one HTTP and one HTTPS port (Symantec's web services on their own mutual-TLS port) until SIGINT/SIGTERM. */
import { startEmbeddedSimulators } from '../simulators/embedded.js';
import { parsePort } from './common.js';

interface ServeFlags {
  host: string;
  port: string;
  tlsPort: string;
  pkiWsPort: string;
  data?: string;
  scepChallenge?: string;
  json?: boolean;
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
    process.stderr.write(`mdmca: warning: binding ${flags.host}; the simulators' credentials are public test fixtures\n`);
  }
  const simulators = await startEmbeddedSimulators({
    host: flags.host,
    port: parsePort(flags.port, '--port'),
    tlsPort: parsePort(flags.tlsPort, '--tls-port'),
    ownPorts: { 'pki-ws': parsePort(flags.pkiWsPort, '--pki-ws-port') },
    ...(flags.data && { dataDir: flags.data }),
    ...(flags.scepChallenge !== undefined && { scepChallenge: flags.scepChallenge }),
  });
  for (const endpoint of simulators.endpoints) {
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ event: 'listening', simulator: endpoint.simulator, kind: endpoint.kind, url: endpoint.url })}\n`);
    } else {
      process.stdout.write(`${endpoint.simulator.padEnd(16)} ${endpoint.kind.padEnd(8)} ${endpoint.url}\n`);
    }
  }
  if (!flags.json) {
    process.stdout.write(`test PKI: ${simulators.pki.dir} (root: ${simulators.pki.root.certificatePath}); state: ${flags.data ?? 'memory'}\n`);
    process.stdout.write('press Ctrl-C to stop\n');
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await simulators.close();
}

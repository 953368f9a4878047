/**
 * `MdmcaContainer`: `mdmca serve` in a container for users' own test suites (testcontainers), e.g.
 *
 *   const mdmca = await new MdmcaContainer().start();        // builds this checkout's Dockerfile
 *   const scepUrl = mdmca.url('scep-ca', 'scep');             // http://localhost:49153/scep
 *   ...
 *   await mdmca.stop();
 *
 * testcontainers is an optional peer dependency: install it next to mdmca to use this module.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT } from '../fixtures/defaults.js';

interface ListeningLine {
  event: 'listening';
  simulator: string;
  kind: string;
  url: string;
}

export class MdmcaContainer {
  private image?: string;
  private challenge?: string;

  /** Use a built image (e.g. `mdmca:latest`) instead of building the checkout's Dockerfile. */
  withImage(image: string): this {
    this.image = image;
    return this;
  }

  withScepChallenge(challenge: string): this {
    this.challenge = challenge;
    return this;
  }

  async start(): Promise<StartedMdmcaContainer> {
    const generic = this.image ? new GenericContainer(this.image) : await GenericContainer.fromDockerfile(checkoutRoot()).build();
    const command = ['serve', '--host', '0.0.0.0', '--json', ...(this.challenge ? ['--scep-challenge', this.challenge] : [])];
    const started = await generic
      .withCommand(command)
      .withExposedPorts(DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT)
      .withWaitStrategy(Wait.forLogMessage(/"event":"listening"/))
      .start();
    const logs = await started.logs();
    const lines: ListeningLine[] = [];
    await new Promise<void>((resolve) => {
      logs.on('data', (chunk: Buffer | string) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.includes('"event":"listening"')) lines.push(JSON.parse(line) as ListeningLine);
        }
      });
      // The listening lines are printed together at start-up; a short settle is enough.
      setTimeout(resolve, 200);
    });
    return new StartedMdmcaContainer(started, lines);
  }
}

export class StartedMdmcaContainer {
  constructor(
    private readonly container: StartedTestContainer,
    private readonly lines: ListeningLine[],
  ) {}

  /** The host-side URL of a simulator endpoint, e.g. url('scep-ca', 'scep'). */
  url(simulator: string, kind: string): string {
    const line = this.lines.find((entry) => entry.simulator === simulator && entry.kind === kind);
    if (!line) throw new Error(`the container announced no ${kind} endpoint for ${simulator}`);
    const inside = new URL(line.url);
    const outsidePort = this.container.getMappedPort(Number(inside.port));
    return `${inside.protocol}//${this.container.getHost()}:${outsidePort}${inside.pathname}`;
  }

  stop(): Promise<unknown> {
    return this.container.stop();
  }
}

function checkoutRoot(): string {
  // simulators/container.ts in source, dist/simulators/container.js when built.
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'simulators')}`) ? join(here, '..', '..') : join(here, '..');
}

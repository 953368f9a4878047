import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// No Docker engine on this machine or in CI: the container test runs only where one exists, never faked.
const dockerReason = process.env.DOCKER_HOST || existsSync('/var/run/docker.sock') ? undefined : 'no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)';
if (dockerReason) console.log(`skipping MdmcaContainer test: ${dockerReason}`);

describe.skipIf(dockerReason !== undefined)('MdmcaContainer', () => {
  it('serves the SCEP CA simulator from the Dockerfile', { timeout: 600_000 }, async () => {
    const { MdmcaContainer } = await import('./container.js');
    const mdmca = await new MdmcaContainer().start();
    try {
      const response = await fetch(`${mdmca.url('scep-ca', 'scep')}?operation=GetCACaps`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/POSTPKIOperation/);
    } finally {
      await mdmca.stop();
    }
  });
});

/**
 * The engine's device-facing API under /mdm (the fixed contract core/engine/http/DEVICE-API.md):
 *
 *   POST /mdm/api/v1/register                                          201 {deviceId, token, platform}
 *   GET  /mdm/api/v1/devices/{deviceId}/configurations                 200 {configurations: [{id, name, type, version}]}
 *   GET  /mdm/api/v1/devices/{deviceId}/configurations/{id}            iOS: .mobileconfig; Android: JSON
 *   POST /mdm/api/v1/devices/{deviceId}/configurations/{id}/status     204
 *   GET|POST /mdm/scep/{configurationId}?operation=…                   the SCEP proxy (scep-proxy.ts)
 *
 * Errors are {"error":{"code","message"}}: 400 invalid_request (with issues), 401 invalid_credentials /
 * invalid_token, 403 not_distributed, 404 not_found, 409 conflict (a template variable without a value, with
 * the product's text), 413 too_large; a CA failure while making a PKCS#12 is 502 ca_error / 422 ca_rejected.
 */
import type { Handler } from '../../http.js';
import type { MdmEngine } from '../engine.js';
import { statusReportSchema } from '../engine.js';
import { buildAndroidConfiguration } from '../profiles/android.js';
import { buildMobileconfig, MOBILECONFIG_CONTENT_TYPE } from '../profiles/ios.js';
import { dispatch, engineRoute, json, noContent, readBody } from './routing.js';
import { createScepProxy, type ScepProxyOptions } from './scep-proxy.js';
import { z } from 'zod';

export const DEVICE_API_PREFIX = '/mdm';

export function createDeviceApi(engine: MdmEngine, options: ScepProxyOptions = {}): Handler {
  const proxy = createScepProxy(engine, options);
  const api = `${DEVICE_API_PREFIX}/api/v1`;
  return dispatch([
    engineRoute('POST', `${api}/register`, async ({ request }) => json(engine.register(await readBody(request, z.unknown())), 201)),
    engineRoute('GET', `${api}/devices/:deviceId/configurations`, ({ request, params }) => {
      const device = engine.authenticate(request.headers.get('authorization'), params.deviceId!);
      return json({ configurations: engine.delivery.listFor(device) });
    }),
    engineRoute('GET', `${api}/devices/:deviceId/configurations/:id`, async ({ request, params, url }) => {
      const device = engine.authenticate(request.headers.get('authorization'), params.deviceId!);
      const payload = await engine.delivery.payload(device, params.id!, url.origin);
      if (device.platform === 'ios' || device.platform === 'macos') {
        return new Response(buildMobileconfig(payload), { status: 200, headers: { 'content-type': MOBILECONFIG_CONTENT_TYPE } });
      }
      return json(buildAndroidConfiguration(payload));
    }),
    engineRoute('POST', `${api}/devices/:deviceId/configurations/:id/status`, async ({ request, params }) => {
      const device = engine.authenticate(request.headers.get('authorization'), params.deviceId!);
      const report = await readBody(request, statusReportSchema);
      engine.delivery.report(device, params.id!, report);
      return noContent();
    }),
    engineRoute(['GET', 'POST'], `${DEVICE_API_PREFIX}/scep/:configurationId`, ({ request, params }) => proxy(request, params.configurationId!)),
    engineRoute(['GET', 'POST'], `${DEVICE_API_PREFIX}/scep/:configurationId/*rest`, ({ request, params }) => proxy(request, params.configurationId!)),
  ]);
}

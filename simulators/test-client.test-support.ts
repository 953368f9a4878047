/**
 * An HTTP(S) client for tests, on node:http/https: global fetch cannot present a client certificate or trust a
 * test CA, and tests of the socket adapter need both. Answers are plain data, comparable with toEqual.
 */
import http from 'node:http';
import https from 'node:https';

export interface TestRequest {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: Uint8Array | string;
  /** TLS: CA to trust, and the client certificate to present. */
  ca?: string;
  key?: string;
  cert?: string;
}

export interface TestResponse {
  status: number;
  statusText: string;
  /** Lower-case names in arrival order; repeated fields (Set-Cookie) stay separate. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export function request(url: string, options: TestRequest = {}): Promise<TestResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ...(secure ? { ca: options.ca, key: options.key, cert: options.cert } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
          resolve({ status: res.statusCode!, statusText: res.statusMessage ?? '', headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Serving a WSDL the way JAX-WS/CXF services do: GET <endpoint>?wsdl (the query key in any case, no value).
 * The document is produced by the simulator (it knows its types); this only decides and answers.
 */
import { BufferedResponse } from '../http-buffered.js';

export function isWsdlRequest(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const url = new URL(request.url);
  for (const key of url.searchParams.keys()) if (key.toLowerCase() === 'wsdl') return true;
  return false;
}

export function wsdlResponse(wsdl: string): Response {
  return new BufferedResponse(wsdl, { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' } });
}

/** The soap:address a WSDL announces: the URL it was fetched from, without the query. */
export function endpointAddress(request: Request): string {
  const url = new URL(request.url);
  return `${url.origin}${url.pathname}`;
}

/**
 * A GasOrderService SOAP 1.1 client (GlobalSign EPKI, reference §2-§3): document/literal wrapped requests with
 * unqualified inner elements, as the WSDL's gowsdl clients send them; responses read whether qualified or not.
 * Transport failures become ConnectorErrors; a business error (SuccessCode -1) becomes GasError for the connector
 * to word as MobileIron Cloud does.
 */
import { at, child, children, childText, el, parseSoapEnvelope, SoapFault, type XmlElement } from '../soap/index.js';
import type { FetchLike } from '../scep/client.js';
import { ConnectorError } from './types.js';
import * as texts from './texts.js';

export const GAS_NAMESPACE = 'https://system.globalsign.com/cr/ws/';

export interface GasErrorEntry {
  code: string;
  field?: string;
  message: string;
}

/** SuccessCode -1: the service refused the request. */
export class GasError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: GasErrorEntry[],
  ) {
    super(errors.map((e) => `${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}`).join('; ') || `${operation} failed`);
    this.name = 'GasError';
  }
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
}

export interface GasClientOptions {
  url: string;
  username: string;
  password: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export interface DnAttributesInput {
  commonName: string;
  organizationUnits?: readonly string[];
  email?: string;
}

export class GasOrderClient {
  private readonly fetchImpl: FetchLike;
  constructor(private readonly options: GasClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private auth(): string {
    return el('AuthToken', [el('UserName', this.options.username), el('Password', this.options.password)]);
  }
  orderHeader(): string {
    return el('OrderRequestHeader', [this.auth()]);
  }
  queryHeader(): string {
    return el('QueryRequestHeader', [this.auth()]);
  }

  static dn(dn: DnAttributesInput): string {
    return el('DnAttributes', [el('CommonName', dn.commonName), ...(dn.organizationUnits ?? []).map((ou) => el('OrganizationUnit', ou)), el('Email', dn.email)]);
  }

  /** Calls `operation` with the Request children; the Response element. GasError on SuccessCode -1. */
  async call(operation: string, requestChildren: readonly string[]): Promise<XmlElement> {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cr="${GAS_NAMESPACE}">` +
      `<soapenv:Body><cr:${operation}>${el('Request', requestChildren)}</cr:${operation}></soapenv:Body></soapenv:Envelope>`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new ConnectorError('timeout', texts.operationTimedOut().text, { assumption: true, cause: error });
      const t = texts.noEndpointListening(this.options.url);
      throw new ConnectorError('unreachable', t.text, { assumption: true, detail: (error as Error).message, cause: error });
    }
    const text = await response.text();
    if (response.status === 404) throw new ConnectorError('unreachable', texts.noEndpointListening(this.options.url).text, { assumption: true, detail: 'HTTP 404' });
    let operationElement: XmlElement;
    try {
      operationElement = parseSoapEnvelope(text).operation;
    } catch (error) {
      const detail = error instanceof SoapFault ? error.faultstring : String(error);
      throw new ConnectorError(response.ok ? 'bad-response' : 'http-error', texts.unexpectedAnswer(`HTTP ${response.status}: ${detail}`).text, { assumption: true, detail });
    }
    if (operationElement.name === 'Fault') {
      const faultstring = childText(operationElement, 'faultstring') ?? 'SOAP Fault';
      throw new ConnectorError('rejected', `SOAP Fault: ${faultstring}`, { detail: childText(operationElement, 'faultcode') ?? '', assumption: true });
    }
    const result = child(operationElement, 'Response');
    if (!result) throw new ConnectorError('bad-response', texts.unexpectedAnswer(`${operationElement.name} has no Response`).text, { assumption: true });
    const header = result.children.find((c) => c.name.toLowerCase() === 'orderresponseheader' || c.name === 'QueryResponseHeader');
    const success = childText(header, 'SuccessCode');
    if (success !== '0' && success !== '1') {
      const errors = children(at(header, 'Errors'), 'Error').map((e) => ({
        code: childText(e, 'ErrorCode') ?? '',
        message: childText(e, 'ErrorMessage') ?? '',
        ...(childText(e, 'ErrorField') ? { field: childText(e, 'ErrorField')! } : {}),
      }));
      throw new GasError(operation, errors);
    }
    return result;
  }
}

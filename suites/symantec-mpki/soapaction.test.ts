/** The SOAPAction part of symantec.connector-lifecycle: what it accepts and what it reports. */
import { describe, expect, it } from 'vitest';
import type { SymantecExchange } from '../../core/connectors/symantec-mpki/transport.js';
import { SERVICES, servicePath, soapAction } from '../../core/connectors/symantec-mpki/wire.js';
import { wrongSoapActions } from './checks-management.js';

const envelope = (body: string) => `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
const exchange = (path: string, action: string, body: string): SymantecExchange => ({ url: `https://h${path}`, soapAction: action, requestXml: envelope(body), ms: 1, status: 200 });
const policies = `<getPolicies xmlns="${SERVICES.policy.namespace}"/>`;
const search = `<searchCertificateRequest xmlns="${SERVICES.management.namespace}"/>`;

describe('SOAPAction of the connector\'s recorded exchanges', () => {
  it('accepts soapAction(service, operation) for each request', () => {
    expect(wrongSoapActions([exchange(servicePath('policy'), soapAction('policy', 'requestPolicies'), policies), exchange(servicePath('management'), soapAction('management', 'searchCertificate'), search)])).toEqual([]);
  });

  it('reports an empty, a wrong-operation and a wrong-namespace SOAPAction, and no exchanges at all', () => {
    const problems = wrongSoapActions([
      exchange(servicePath('policy'), '', policies),
      exchange(servicePath('policy'), soapAction('policy', 'getPolicies'), policies),
      exchange(servicePath('management'), soapAction('enrollment', 'searchCertificate'), search),
    ]);
    expect(problems).toHaveLength(3);
    expect(problems[1]).toContain('requestPolicies');
    expect(wrongSoapActions([])).toEqual(['no exchange was recorded']);
  });
});

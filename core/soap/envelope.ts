/**
 * SOAP 1.1 envelopes: one hardened parser configuration and a string builder.
 *
 * Hardening (XXE, billion laughs): a document with a DOCTYPE or an ENTITY declaration is refused with a Client
 * fault before the parser sees it, so nothing is ever expanded; fast-xml-parser is also configured with entity
 * processing off. Bodies are read under a size limit (1 MiB by default) and refused with a fault (HTTP 413).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BodyTooLargeError, DEFAULT_BODY_LIMIT_BYTES, readRequestLimited } from '../http-body.js';
import { BufferedResponse } from '../http-buffered.js';
import { SOAP11_ENVELOPE_NS, SoapFault } from './fault.js';
import type { XmlElement } from './tree.js';

export interface SoapMessage {
  /** The first child of soap:Body: the operation wrapper in document/literal wrapped style. */
  operation: XmlElement;
  header?: XmlElement;
}

// preserveOrder keeps repeated elements and their order; values stay strings ("0001" is not 1).
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY)/i;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces the five predefined entities and character references (the only ones XML without a DTD has). */
function decodeText(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return PREDEFINED[ref] ?? whole;
  });
}

type OrderedNode = Record<string, unknown>;

function splitName(qname: string): { prefix: string; local: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', local: qname } : { prefix: qname.slice(0, i), local: qname.slice(i + 1) };
}

function toTree(node: OrderedNode, scope: Map<string, string>): XmlElement | undefined {
  const key = Object.keys(node).find((k) => k !== ':@');
  if (!key || key === '#text') return undefined;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  let inner = scope;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(name === 'xmlns' ? '' : name.slice(6), value);
    } else {
      attributes[name] = decodeText(String(value));
    }
  }
  const { prefix, local } = splitName(key);
  const element: XmlElement = { name: local, ns: inner.get(prefix) ?? '', attributes, children: [], text: '' };
  const texts: string[] = [];
  for (const item of (node[key] ?? []) as OrderedNode[]) {
    if ('#text' in item) texts.push(decodeText(String(item['#text'])));
    else {
      const childElement = toTree(item, inner);
      if (childElement) element.children.push(childElement);
    }
  }
  element.text = texts.join('').trim();
  return element;
}

/** Parses a SOAP 1.1 envelope; SoapFault (Client) for anything that is not one. */
export function parseSoapEnvelope(xml: string): SoapMessage {
  if (DTD_PATTERN.test(xml)) throw new SoapFault('soap:Client', 'Received DTD content, which is not allowed: DOCTYPE and ENTITY declarations are refused');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new SoapFault('soap:Client', `Unmarshalling Error: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  let ordered: OrderedNode[];
  try {
    ordered = parser.parse(xml) as OrderedNode[];
  } catch (error) {
    throw new SoapFault('soap:Client', `Unmarshalling Error: ${(error as Error).message}`);
  }
  const roots = ordered.map((node) => toTree(node, new Map())).filter((e): e is XmlElement => e !== undefined);
  const envelope = roots[0];
  if (!envelope || envelope.name !== 'Envelope') throw new SoapFault('soap:Client', 'The message is not a SOAP envelope');
  if (envelope.ns !== SOAP11_ENVELOPE_NS) throw new SoapFault('soap:VersionMismatch', `Envelope namespace "${envelope.ns}" is not SOAP 1.1`);
  const header = envelope.children.find((c) => c.name === 'Header' && c.ns === SOAP11_ENVELOPE_NS);
  const body = envelope.children.find((c) => c.name === 'Body' && c.ns === SOAP11_ENVELOPE_NS);
  if (!body) throw new SoapFault('soap:Client', 'The SOAP envelope has no Body');
  const operation = body.children[0];
  if (!operation) throw new SoapFault('soap:Client', 'The SOAP Body is empty');
  return { operation, ...(header ? { header } : {}) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses a SOAP request under a size limit; SoapFault for every failure (413 when too large). */
export async function readSoapRequest(request: Request, limitBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<SoapMessage> {
  let bytes: Uint8Array | null;
  try {
    bytes = await readRequestLimited(request, limitBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new SoapFault('soap:Client', error.message, 413);
    throw error;
  }
  if (!bytes || bytes.byteLength === 0) throw new SoapFault('soap:Client', 'The request has no body; a SOAP envelope is required');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new SoapFault('soap:Client', 'The request body is not UTF-8');
  }
  return parseSoapEnvelope(text);
}

/** A SOAP 1.1 response envelope around `bodyXml` (already serialised). */
export function soapEnvelope(bodyXml: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP11_ENVELOPE_NS}" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>${bodyXml}</soap:Body></soap:Envelope>`
  );
}

export function soapResponse(bodyXml: string, headers: Record<string, string> = {}): Response {
  return new BufferedResponse(soapEnvelope(bodyXml), { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', ...headers } });
}

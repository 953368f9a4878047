/**
 * The shape of every server role in mdmca (DESIGN.md, "Simulators are Fetch handlers"): a function from a
 * standard Request, plus who is calling, to a standard Response. core defines it because core's own servers
 * (the SCEP server handler, the MDM engine's device API) have this shape too; simulators/http.ts mounts them.
 */
import type { X509Certificate } from 'node:crypto';

export interface Peer {
  /** Remote IP address as the socket saw it (loopback in tests). */
  address: string;
  /** True when the request came over TLS. */
  tls: boolean;
  /** The client certificate presented in the TLS handshake, if any. */
  clientCertificate?: X509Certificate;
  /** Whether the TLS layer verified that certificate against the listener's trusted CAs. */
  clientCertificateAuthorized?: boolean;
}

export type Handler = (request: Request, peer: Peer) => Promise<Response>;

/** A peer for in-process calls where no socket exists (msw, direct calls in unit tests). */
export const loopbackPeer: Peer = { address: '127.0.0.1', tls: false };

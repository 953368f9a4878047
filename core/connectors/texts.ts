/**
 * What an MDM console shows when talking to a CA fails. Only one text is in the guides: Workspace ONE UEM's Test
 * Connection with a wrong Server URL (guide 004, Step 5 item 11). Its form is .NET WCF's EndpointNotFoundException,
 * which WCF raises both when nothing listens and when the server answers 404; the other texts follow the same
 * .NET forms and are ASSUMPTIONs.
 */

export interface ProductMessage {
  text: string;
  /** True when the guides do not confirm the exact text. */
  assumption: boolean;
}

/** Guide 004, Step 5: "Connection Failed: There was no endpoint listening at <url> that could accept the message. …" */
export function noEndpointListening(url: string): ProductMessage {
  return {
    text: `Connection Failed: There was no endpoint listening at ${url} that could accept the message. This is often caused by an incorrect address or SOAP action. See InnerException, if present, for more details.`,
    assumption: false,
  };
}

/** ASSUMPTION: .NET WebException's text for an HTTP error status other than 404. */
export function remoteServerError(status: number, statusText: string): ProductMessage {
  return { text: `Connection Failed: The remote server returned an error: (${status}) ${statusText || 'Error'}.`, assumption: true };
}

/** ASSUMPTION: .NET's text for a timed-out request. */
export function operationTimedOut(): ProductMessage {
  return { text: 'Connection Failed: The operation has timed out.', assumption: true };
}

/** ASSUMPTION: an answer that is not SCEP (HTML login page, wrong service). */
export function unexpectedAnswer(detail: string): ProductMessage {
  return { text: `Connection Failed: The server at the Server URL did not answer as a certificate authority (${detail}).`, assumption: true };
}

/** ASSUMPTION: what Test Connection says when it succeeds (guide 004 only says "verify that the test is successful"). */
export const CONNECTION_SUCCESSFUL: ProductMessage = { text: 'Test Connection successful', assumption: true };

/** The fix guide 004 gives for a failed Test Connection. */
export const CHECK_SERVER_URL_FIX =
  'Check the Server URL (guide 004: a certificate not installed on the Workspace ONE UEM server, or an incorrect URL, causes this error)';

// ---- Symantec Web Services Managed PKI (MobileIron VSP, guide 000) -----------------------------------------

/** Guide 000, Table 2-1, Server: the note beside the field, which VSP applies to what is entered. */
export const SYMANTEC_SERVER_HOST_ONLY =
  'Only the host name of the Symantec CA server should be provided. Do not add https:// before the server name, and do not add path information after the server name.';

/** ASSUMPTION: VSP's text when the uploaded RA .p12 does not open with the password entered. */
export function symantecRaWrongPassword(): ProductMessage {
  return { text: 'Invalid certificate password: the RA certificate (.p12) could not be opened with the password entered', assumption: true };
}

/** ASSUMPTION: VSP's text when the uploaded file is not a PKCS#12 with a certificate and key. */
export function symantecRaUnreadable(): ProductMessage {
  return { text: 'Invalid certificate: the RA certificate must be a .p12 file with the certificate and its private key', assumption: true };
}

/** ASSUMPTION: the Symantec service refused the RA certificate in the TLS handshake (vendor-apis.md §A.8 #1). */
export function symantecRaRefused(cause: string): ProductMessage {
  return { text: `Connection Failed: the Symantec Web Services Managed PKI server refused the RA certificate (${cause})`, assumption: true };
}

/** ASSUMPTION: the server's TLS certificate does not chain to a root VSP trusts. */
export function symantecServerNotTrusted(): ProductMessage {
  return { text: 'Connection Failed: the certificate of the Symantec Web Services Managed PKI server is not trusted', assumption: true };
}

/** ASSUMPTION: a Required Field of the Mobile Profile has no value for this user or device. */
export function symantecRequiredFieldEmpty(field: string): ProductMessage {
  return { text: `Required field "${field}" of the Mobile Profile has no value`, assumption: true };
}

/** ASSUMPTION: the certificate request is held for approval in Symantec PKI Manager. */
export function symantecPending(referenceId: string): ProductMessage {
  return { text: `The certificate request is pending approval in Symantec PKI Manager (reference ${referenceId})`, assumption: true };
}

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

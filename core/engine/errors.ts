/**
 * The engine's typed error, in the device API contract's form (`{"error":{"code","message","issues"?}}` with a
 * fitting status, core/engine/http/DEVICE-API.md), and the mapping of connector, directory and template errors to
 * it. Nothing the engine answers is a 500: an unexpected failure becomes 503 with its reason.
 */
import { issuesOf, type Issue } from '../schema-issues.js';
export { formatIssuePath, issuesOf, type Issue } from '../schema-issues.js';
import type { z } from 'zod';
import { ConnectorError } from '../connectors/types.js';
import { DirectoryError } from '../directory/errors.js';
import { TemplateError } from '../templates/errors.js';


export type EngineErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'not_distributed'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'pending'
  | 'ca_rejected'
  | 'ca_error'
  | 'method_not_allowed'
  | 'unavailable';

export class EngineError extends Error {
  constructor(
    readonly status: number,
    readonly code: EngineErrorCode,
    message: string,
    readonly extra: { issues?: readonly Issue[]; detail?: string; fix?: string; assumption?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }

  toJSON() {
    const { issues, detail, fix, assumption } = this.extra;
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(issues ? { issues } : {}),
        ...(detail !== undefined ? { detail } : {}),
        ...(fix !== undefined ? { fix } : {}),
        ...(assumption ? { assumption } : {}),
      },
    };
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.toJSON()), {
      status: this.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...this.extra.headers },
    });
  }
}

export const notFound = (what: string) => new EngineError(404, 'not_found', `${what} not found`);
export const invalid = (message: string, issues: readonly Issue[] = []) => new EngineError(400, 'invalid_request', message, { issues });



/** A zod failure as 400 invalid_request with every issue and its path. */
export function schemaError(error: z.ZodError, what = 'Request body does not match the schema'): EngineError {
  return invalid(what, issuesOf(error));
}

export function fromConnectorError(error: ConnectorError): EngineError {
  const extra = {
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    ...(error.fix !== undefined ? { fix: error.fix } : {}),
    assumption: error.assumption,
  };
  switch (error.code) {
    case 'unsupported':
      return new EngineError(409, 'unsupported', error.message, extra);
    case 'pending':
      return new EngineError(409, 'pending', error.message, extra);
    case 'rejected':
    case 'authentication':
      return new EngineError(422, 'ca_rejected', error.message, extra);
    case 'configuration':
      return new EngineError(409, 'conflict', error.message, extra);
    default:
      return new EngineError(502, 'ca_error', error.message, extra);
  }
}

export function fromDirectoryError(error: DirectoryError): EngineError {
  switch (error.code) {
    case 'not_found':
      return new EngineError(404, 'not_found', error.message);
    case 'already_exists':
    case 'in_use':
      return new EngineError(409, 'conflict', error.message, { issues: error.issues });
    default:
      return new EngineError(400, 'invalid_request', error.message, { issues: error.issues });
  }
}

/** A template that cannot be filled for this user or device: 409 with the product's text. */
export function fromTemplateError(error: TemplateError): EngineError {
  return new EngineError(409, 'conflict', error.message, {
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    ...(error.fix !== undefined ? { fix: error.fix } : {}),
    assumption: error.assumption,
  });
}

/** Any error as an EngineError; unknown ones become 503 (never a 500). */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof ConnectorError) return fromConnectorError(error);
  if (error instanceof DirectoryError) return fromDirectoryError(error);
  if (error instanceof TemplateError) return fromTemplateError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new EngineError(503, 'unavailable', `The MDM could not complete the request: ${message}`);
}

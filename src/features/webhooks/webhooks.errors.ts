import { InvalidInputError, NotFoundError } from '../../errors/app-error.ts';

/** One answer for "missing" and "not yours": the API never reveals another user's ids. */
export function webhookEndpointNotFound(): NotFoundError {
  return new NotFoundError('webhook.endpoint_not_found', 'No such webhook endpoint.');
}

/** The URL failed the SSRF policy (scheme, credentials, or where its host resolves). */
export function webhookUrlRefused(reason: string): InvalidInputError {
  return new InvalidInputError('request.invalid', `The webhook URL ${reason}.`, {
    fieldIssues: [{ path: 'url', message: reason }],
  });
}

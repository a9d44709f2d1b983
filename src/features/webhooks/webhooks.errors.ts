import { ConflictError, InvalidInputError, NotFoundError } from '../../errors/app-error.ts';

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

/** No such delivery of this endpoint (another endpoint's delivery answers the same). */
export function webhookDeliveryNotFound(): NotFoundError {
  return new NotFoundError('webhook.delivery_not_found', 'No such delivery of this endpoint.');
}

export function webhookDeliveryPending(): ConflictError {
  return new ConflictError(
    'webhook.delivery_pending',
    'The delivery is still being sent; it can be sent again once it has succeeded or failed.',
  );
}

export function webhookEndpointDisabled(): ConflictError {
  return new ConflictError(
    'webhook.endpoint_disabled',
    'The endpoint is disabled; turn it on with PATCH {"enabled": true} first.',
  );
}

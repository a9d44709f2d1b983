import { checkExpiring, type SignatureCheck, signExpiring } from '../../lib/expiring-signature.ts';

// Where a mail about a deployment sends its reader (issue 8, fault 7). The API's own routes
// need a bearer token a browser does not have, so a mail links either to the editor's page of
// the deployment, or to a read-only status page the API serves behind a signed, expiring link.

/** The API's read-only page of one deployment, opened from a signed link. */
export const STATUS_PAGE_PATH = '/status/deployments';

const SIGNED_PURPOSE = 'deployment-status';

export interface DeploymentLinkOptions {
  /** The editor app's URL without a trailing slash, or undefined when there is none. */
  readonly editorUrl: string | undefined;
  /** With `{portfolioId}` and `{deploymentId}` placeholders. */
  readonly editorDeploymentPath: string;
  /** The API's public URL (`APP_URL`). */
  readonly publicUrl: string;
  readonly signingSecret: string;
  readonly statusLinkTtlSeconds: number;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}

export interface DeploymentIds {
  readonly portfolioId: string;
  readonly deploymentId: string;
}

export type DeploymentPageLink = (ids: DeploymentIds) => string;

/** Builds the link a mail gives for a deployment. */
export function createDeploymentPageLink(options: DeploymentLinkOptions): DeploymentPageLink {
  const now = options.now ?? Date.now;
  return (ids) => {
    if (options.editorUrl !== undefined) {
      const path = options.editorDeploymentPath
        .replaceAll('{portfolioId}', encodeURIComponent(ids.portfolioId))
        .replaceAll('{deploymentId}', encodeURIComponent(ids.deploymentId));
      return `${options.editorUrl}${path}`;
    }
    const expires = Math.floor(now() / 1000) + options.statusLinkTtlSeconds;
    const signature = signExpiring(
      [SIGNED_PURPOSE, ids.deploymentId],
      expires,
      options.signingSecret,
    );
    const url = new URL(`${STATUS_PAGE_PATH}/${ids.deploymentId}`, options.publicUrl);
    url.searchParams.set('expires', String(expires));
    url.searchParams.set('signature', signature);
    return url.href;
  };
}

/** Checks a status-page link made by {@link createDeploymentPageLink}. */
export function checkStatusLink(
  deploymentId: string,
  link: { readonly expires: string; readonly signature: string },
  signingSecret: string,
  nowMs: number = Date.now(),
): SignatureCheck {
  return checkExpiring(
    [SIGNED_PURPOSE, deploymentId],
    link.expires,
    link.signature,
    signingSecret,
    nowMs,
  );
}

/**
 * Where a deployment's files are kept in the `portfolios` bucket (R-JOB-2, R-PLAT-3):
 * `{portfolioId}/{deploymentId}/{encoding}/{path}`. Each deployment has its own prefix, so
 * uploading one never changes what another serves, and a rollback is a pointer switch.
 */
export const SITE_ENCODINGS = ['identity', 'gzip', 'br'] as const;
export type SiteEncoding = (typeof SITE_ENCODINGS)[number];

export const SITE_BUCKET = 'portfolios';

/** The prefix holding every file of one deployment (ends with "/"). */
export function deploymentPrefix(portfolioId: string, deploymentId: string): string {
  return `${portfolioId}/${deploymentId}/`;
}

/** The key of one file of a deployed site in one encoding. `path` is relative: `index.html`. */
export function siteObjectKey(
  portfolioId: string,
  deploymentId: string,
  path: string,
  encoding: SiteEncoding,
): string {
  return `${deploymentPrefix(portfolioId, deploymentId)}${encoding}/${path}`;
}

import { describe, expect, it } from 'vitest';

import { checkSubdomain, parseSnapshotContent } from './deployment-validation.ts';
import { DeploymentRejectedError } from './deployments.errors.ts';

function rejectionOf(run: () => unknown): DeploymentRejectedError {
  try {
    run();
  } catch (err) {
    if (err instanceof DeploymentRejectedError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a DeploymentRejectedError');
}

describe(parseSnapshotContent.name, () => {
  it('returns the parsed content with its defaults', () => {
    const content = parseSnapshotContent({ profile: { name: 'Jane' } });

    expect(content).toEqual({ profile: { name: 'Jane' }, links: [], sections: [] });
  });

  it('rejects invalid content as deployment.content_invalid, naming the fields (R-JOB-2)', () => {
    const error = rejectionOf(() =>
      parseSnapshotContent({ profile: { name: '' }, links: [{ label: 'x', url: 'javascript:1' }] }),
    );

    expect(error.code).toBe('deployment.content_invalid');
    expect(error.message).toContain('profile.name');
    expect(error.message).toContain('links.0.url');
  });

  it('lists at most three problems and counts the rest', () => {
    const error = rejectionOf(() =>
      parseSnapshotContent({
        profile: { name: '', email: 'no', website: 'ftp://x', avatarUrl: 'data:x' },
      }),
    );

    expect(error.message).toMatch(/\(and 1 more\)$/);
  });
});

describe(checkSubdomain.name, () => {
  it('accepts a valid subdomain', () => {
    expect(checkSubdomain('jane-doe')).toBe('jane-doe');
  });

  it('rejects a missing subdomain', () => {
    expect(rejectionOf(() => checkSubdomain(null)).code).toBe('deployment.subdomain_missing');
  });

  it('rejects a reserved or malformed subdomain with the rule it breaks', () => {
    const reserved = rejectionOf(() => checkSubdomain('admin'));
    const malformed = rejectionOf(() => checkSubdomain('-jane'));

    expect(reserved.code).toBe('deployment.subdomain_invalid');
    expect(reserved.message).toContain('reserved');
    expect(malformed.code).toBe('deployment.subdomain_invalid');
  });
});

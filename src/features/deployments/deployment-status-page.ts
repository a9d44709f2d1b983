import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { ForbiddenError, GoneError, NotFoundError } from '../../errors/app-error.ts';
import { checkStatusLink } from './deployment-links.ts';
import {
  type DeploymentStatusView,
  findDeploymentStatusView,
} from './deployment-status.repository.ts';

export interface DeploymentStatusPage {
  /**
   * The deployment as its signed link shows it. ForbiddenError for a link we did not sign,
   * GoneError once it expired, NotFoundError when the deployment or its portfolio is gone.
   */
  read(
    deploymentId: string,
    link: { readonly expires: string; readonly signature: string },
  ): Promise<DeploymentStatusView>;
}

export function createDeploymentStatusPage(deps: {
  readonly db: Kysely<Database>;
  readonly signingSecret: string;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}): DeploymentStatusPage {
  const now = deps.now ?? Date.now;
  return {
    async read(deploymentId, link) {
      const check = checkStatusLink(deploymentId, link, deps.signingSecret, now());
      if (check === 'invalid') {
        throw new ForbiddenError('link.invalid', 'This link is not valid.');
      }
      if (check === 'expired') {
        throw new GoneError(
          'link.expired',
          'This link has expired. Open the deployment in the RoleRabbit editor instead.',
        );
      }
      const view = await findDeploymentStatusView(deps.db, deploymentId);
      if (view === undefined) {
        throw new NotFoundError('deployment.not_found', 'No such deployment.');
      }
      return view;
    },
  };
}

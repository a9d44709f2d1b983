import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import {
  type PortfolioContentInput,
  portfolioContentSchema,
} from '../portfolios/portfolio-content.ts';
import type { PortfolioService } from '../portfolios/portfolios.service.ts';
import { SEED_TEMPLATES } from '../templates/seed-templates.ts';
import { findTemplate, insertMissingTemplates } from '../templates/templates.repository.ts';
import { upsertUser } from '../users/users.repository.ts';

/** The local demo account; `npm start` prints a token for it. */
export const DEMO_USER = {
  id: '6f1d2c3b-4a59-4e7d-8c21-d3e0f7a9b001',
  email: 'demo@example.com',
  name: 'Ada Demo',
} as const;

const DEMO_CONTENT: PortfolioContentInput = {
  profile: {
    name: 'Ada Demo',
    headline: 'Product engineer who likes small, sharp tools',
    bio: 'I build web products end to end, from the database schema to the last pixel.',
    location: 'Lisbon, Portugal',
    email: 'demo@example.com',
    website: 'https://example.com',
  },
  links: [{ label: 'GitHub', url: 'https://github.com/example' }],
  sections: [
    {
      kind: 'experience',
      title: 'Experience',
      items: [
        {
          title: 'Senior Engineer',
          subtitle: 'Example Corp',
          period: '2022 – now',
          description: 'Led the move to an event-driven billing system.',
          tags: ['TypeScript', 'PostgreSQL'],
        },
      ],
    },
    {
      kind: 'projects',
      title: 'Projects',
      items: [
        {
          title: 'Tiny Queue',
          description: 'A job queue in 300 lines, for teaching.',
          url: 'https://example.com/tiny-queue',
        },
      ],
    },
    { kind: 'skills', title: 'Skills', items: [{ title: 'TypeScript' }, { title: 'SQL' }] },
  ],
};

export interface SeedOutcome {
  readonly templatesInserted: number;
  readonly demoPortfolioCreated: boolean;
}

/**
 * Makes a fresh database usable: the built-in templates and a demo user with one portfolio.
 * Only adds what is missing, so it runs on every start without touching edited data.
 */
export async function seedDemoData(deps: {
  readonly db: Kysely<Database>;
  readonly portfolios: PortfolioService;
}): Promise<SeedOutcome> {
  const { db, portfolios } = deps;
  const templatesInserted = await insertMissingTemplates(
    db,
    SEED_TEMPLATES.map((template) => ({
      slug: template.slug,
      name: template.name,
      category: template.category,
      description: template.description,
      thumbnail_url: template.thumbnailUrl,
      source: template.source,
      css: template.css,
      palette: JSON.stringify(template.palette),
    })),
  );

  await upsertUser(db, DEMO_USER);
  // Counts deleted ones too: a demo portfolio the user removed should stay removed.
  const existing = await db
    .selectFrom('portfolios')
    .select('id')
    .where('owner_id', '=', DEMO_USER.id)
    .limit(1)
    .executeTakeFirst();
  const template = await findTemplate(db, 'minimal-mono');
  if (existing !== undefined || template === undefined) {
    return { templatesInserted, demoPortfolioCreated: false };
  }
  await portfolios.createPortfolio(DEMO_USER.id, {
    title: 'Ada Demo — Portfolio',
    templateId: template.id,
    slug: 'ada-demo',
    subdomain: 'ada-demo',
    visibility: 'public',
    content: portfolioContentSchema.parse(DEMO_CONTENT),
  });
  return { templatesInserted, demoPortfolioCreated: true };
}

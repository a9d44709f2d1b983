import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';
import { selectDriver } from './select-driver.ts';

/** `Name <local@domain>` or `local@domain`; the domain may be a bare host such as localhost. */
const mailbox = z
  .string()
  .regex(
    /^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/,
    'a mailbox such as "RoleRabbit <no-reply@example.com>"',
  );

const EMAIL_DRIVERS = ['outbox', 'smtp', 'resend'] as const;
type EmailDriver = (typeof EMAIL_DRIVERS)[number];

const DEFAULT_EMAIL_FROM = 'RoleRabbit <no-reply@localhost>';

/** Resend only sends from a verified domain, which localhost can never be. */
const isLocalSender = (from: string) => /@localhost>?$/i.test(from);

/** Transactional email (R-INT-2): where messages go and who they come from. */
export const emailEnvShape = {
  /** Unset: resend when RESEND_API_KEY is set, smtp when SMTP_HOST is, else outbox. */
  EMAIL_DRIVER: z.enum(EMAIL_DRIVERS).optional(),
  EMAIL_FROM: mailbox.default(DEFAULT_EMAIL_FROM),
  EMAIL_OUTBOX_DIRECTORY: z.string().min(1).default('./data/outbox'),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
  SMTP_SECURE: z.stringbool().default(false),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().min(1).optional(),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.resend.com'),
};

export type EmailEnv = z.infer<z.ZodObject<typeof emailEnvShape>>;

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly password: string | undefined;
}

export interface ResendSettings {
  readonly apiKey: string;
  readonly baseUrl: string;
}

/** One driver with exactly the settings it needs; `from` is shared. */
export type EmailConfig =
  | { readonly driver: 'outbox'; readonly from: string; readonly outboxDirectory: string }
  | { readonly driver: 'smtp'; readonly from: string; readonly smtp: SmtpSettings }
  | { readonly driver: 'resend'; readonly from: string; readonly resend: ResendSettings };

function missing(driver: string, variables: readonly string[]): ConfigProblem[] {
  return variables.map((variable) => ({
    variable,
    message: `EMAIL_DRIVER=${driver} needs ${variable}`,
  }));
}

/**
 * Picks the email driver. A production driver without its credentials is a problem per
 * missing variable; when there are problems the returned config (the outbox) is not used.
 */
export function buildEmailConfig(env: EmailEnv): {
  readonly config: EmailConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const from = env.EMAIL_FROM;
  const outbox: EmailConfig = {
    driver: 'outbox',
    from,
    outboxDirectory: env.EMAIL_OUTBOX_DIRECTORY,
  };
  const selection = selectDriver<EmailDriver>({
    variable: 'EMAIL_DRIVER',
    explicit: env.EMAIL_DRIVER,
    fallback: 'outbox',
    candidates: [
      {
        name: 'resend',
        requires: {
          RESEND_API_KEY: env.RESEND_API_KEY !== undefined,
          EMAIL_FROM: !isLocalSender(env.EMAIL_FROM),
        },
        signals: ['RESEND_API_KEY'],
      },
      {
        name: 'smtp',
        requires: { SMTP_HOST: env.SMTP_HOST !== undefined },
        signals: ['SMTP_HOST'],
      },
    ],
    isSet: (variable) => (env as Readonly<Record<string, unknown>>)[variable] !== undefined,
  });
  if (selection.problems.length > 0) {
    return { config: outbox, problems: selection.problems };
  }
  switch (selection.driver) {
    case 'outbox':
      return { config: outbox, problems: [] };
    case 'smtp': {
      const problems = missing('smtp', env.SMTP_HOST === undefined ? ['SMTP_HOST'] : []);
      // Credentials come as a pair; one without the other is a typo, not "no auth".
      if (env.SMTP_USER !== undefined && env.SMTP_PASS === undefined) {
        problems.push({
          variable: 'SMTP_PASS',
          message: 'SMTP_USER is set, so SMTP_PASS is needed',
        });
      }
      if (env.SMTP_PASS !== undefined && env.SMTP_USER === undefined) {
        problems.push({
          variable: 'SMTP_USER',
          message: 'SMTP_PASS is set, so SMTP_USER is needed',
        });
      }
      if (env.SMTP_HOST === undefined || problems.length > 0) {
        return { config: outbox, problems };
      }
      return {
        config: {
          driver: 'smtp',
          from,
          smtp: {
            host: env.SMTP_HOST,
            port: env.SMTP_PORT,
            secure: env.SMTP_SECURE,
            user: env.SMTP_USER,
            password: env.SMTP_PASS,
          },
        },
        problems,
      };
    }
    case 'resend': {
      const problems = missing(
        'resend',
        env.RESEND_API_KEY === undefined ? ['RESEND_API_KEY'] : [],
      );
      if (isLocalSender(env.EMAIL_FROM)) {
        problems.push({
          variable: 'EMAIL_FROM',
          message: 'EMAIL_DRIVER=resend needs a sender on a domain verified in Resend',
        });
      }
      if (env.RESEND_API_KEY === undefined || problems.length > 0) {
        return { config: outbox, problems };
      }
      return {
        config: {
          driver: 'resend',
          from,
          resend: { apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_API_URL.replace(/\/+$/, '') },
        },
        problems,
      };
    }
  }
}

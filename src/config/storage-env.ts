import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

/** "true"/"false" (or 1/0) as written in an env file; z.coerce.boolean would read "false" as true. */
const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** Object storage (R-INT-1): local files by default, or any S3-compatible service. */
export const storageEnvShape = {
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  /** Relative paths resolve against the working directory. */
  STORAGE_LOCAL_DIRECTORY: z.string().min(1).default('./data/storage'),
  /** e.g. https://<ref>.storage.supabase.co/storage/v1/s3 (Supabase Storage's S3 endpoint). */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Supabase, MinIO and most self-hosted services need path-style URLs. */
  S3_FORCE_PATH_STYLE: flag.default(true),
  /** Prepended to bucket names, so `rolerabbit-` gives `rolerabbit-exports`. */
  S3_BUCKET_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,49}$/, 'lower-case letters, digits, "." and "-" (max 50)')
    .optional(),
};

export type StorageEnv = z.infer<z.ZodObject<typeof storageEnvShape>>;

export interface S3StorageConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  /** Redact in logs: a full-access credential. */
  readonly secretAccessKey: string;
  readonly forcePathStyle: boolean;
  readonly bucketPrefix: string | undefined;
}

/** Which adapter to build, with only the settings that adapter reads. */
export type StorageConfig =
  | { readonly driver: 'local'; readonly local: { readonly rootDirectory: string } }
  | { readonly driver: 's3'; readonly s3: S3StorageConfig };

export function buildStorageConfig(env: StorageEnv): {
  readonly config: StorageConfig;
  readonly problems: readonly ConfigProblem[];
} {
  if (env.STORAGE_DRIVER === 'local') {
    return {
      config: { driver: 'local', local: { rootDirectory: env.STORAGE_LOCAL_DIRECTORY } },
      problems: [],
    };
  }
  const required = {
    S3_ENDPOINT: env.S3_ENDPOINT,
    S3_ACCESS_KEY_ID: env.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY,
  };
  const problems = Object.entries(required)
    .filter(([, value]) => value === undefined)
    .map(([variable]) => ({ variable, message: `STORAGE_DRIVER=s3 needs ${variable}` }));
  return {
    config: {
      driver: 's3',
      s3: {
        endpoint: required.S3_ENDPOINT ?? '',
        region: env.S3_REGION,
        accessKeyId: required.S3_ACCESS_KEY_ID ?? '',
        secretAccessKey: required.S3_SECRET_ACCESS_KEY ?? '',
        forcePathStyle: env.S3_FORCE_PATH_STYLE,
        bucketPrefix: env.S3_BUCKET_PREFIX,
      },
    },
    problems,
  };
}

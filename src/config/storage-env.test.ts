import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildStorageConfig, storageEnvShape } from './storage-env.ts';

const schema = z.object(storageEnvShape);

function build(env: Record<string, string>) {
  return buildStorageConfig(schema.parse(env));
}

describe(buildStorageConfig.name, () => {
  it('defaults to local files under ./data/storage', () => {
    expect(build({})).toEqual({
      config: { driver: 'local', local: { rootDirectory: './data/storage' } },
      problems: [],
    });
  });

  it('builds the S3 settings with their defaults', () => {
    const { config, problems } = build({
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: 'https://abc.storage.supabase.co/storage/v1/s3',
      S3_ACCESS_KEY_ID: 'key-id',
      S3_SECRET_ACCESS_KEY: 'key-secret',
    });

    expect(problems).toEqual([]);
    expect(config).toEqual({
      driver: 's3',
      s3: {
        endpoint: 'https://abc.storage.supabase.co/storage/v1/s3',
        region: 'us-east-1',
        accessKeyId: 'key-id',
        secretAccessKey: 'key-secret',
        forcePathStyle: true,
        bucketPrefix: undefined,
      },
    });
  });

  it('reads path style as a real boolean and keeps the bucket prefix', () => {
    const { config } = build({
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'a',
      S3_SECRET_ACCESS_KEY: 'b',
      S3_FORCE_PATH_STYLE: 'false',
      S3_BUCKET_PREFIX: 'rolerabbit-',
    });

    expect(config).toMatchObject({
      driver: 's3',
      s3: { region: 'eu-west-1', forcePathStyle: false, bucketPrefix: 'rolerabbit-' },
    });
  });

  it('names one problem per missing S3 variable when the s3 driver is chosen', () => {
    const { problems } = build({ STORAGE_DRIVER: 's3', S3_ACCESS_KEY_ID: 'only-this' });

    expect(problems).toEqual([
      { variable: 'S3_ENDPOINT', message: 'STORAGE_DRIVER=s3 needs S3_ENDPOINT' },
      { variable: 'S3_SECRET_ACCESS_KEY', message: 'STORAGE_DRIVER=s3 needs S3_SECRET_ACCESS_KEY' },
    ]);
  });

  it('does not ask for S3 credentials while the local driver is chosen', () => {
    expect(
      build({ STORAGE_DRIVER: 'local', S3_ENDPOINT: 'http://127.0.0.1:9000' }).problems,
    ).toEqual([]);
  });

  it('rejects values the schema cannot accept, by variable', () => {
    const result = schema.safeParse({
      STORAGE_DRIVER: 'ftp',
      S3_ENDPOINT: 'not a url',
      S3_FORCE_PATH_STYLE: 'yes',
      S3_BUCKET_PREFIX: 'Upper_Case',
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'S3_BUCKET_PREFIX',
      'S3_ENDPOINT',
      'S3_FORCE_PATH_STYLE',
      'STORAGE_DRIVER',
    ]);
  });
});

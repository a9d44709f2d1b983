import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createOfflineGeolocation,
  defaultGeolocationDatabasePath,
} from '../../../../src/integrations/geolocation/offline-geolocation.ts';
import { GOOGLE_DNS } from './geolocation-test-support.ts';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'rr-geo-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe(createOfflineGeolocation.name, () => {
  it('places well-known resolvers by country from the bundled database', async () => {
    const geolocation = createOfflineGeolocation();

    await expect(geolocation.locate(GOOGLE_DNS)).resolves.toEqual({
      countryCode: 'US',
      source: 'offline',
    });
    // RIPE NCC's own web server, in Amsterdam.
    await expect(geolocation.locate('2001:67c:2e8:22::c100:68b')).resolves.toMatchObject({
      countryCode: 'NL',
    });
    await expect(geolocation.locate(`::ffff:${GOOGLE_DNS}`)).resolves.toMatchObject({
      countryCode: 'US',
    });
  });

  it('answers undefined for private and malformed addresses', async () => {
    const geolocation = createOfflineGeolocation();

    await expect(geolocation.locate('192.168.1.1')).resolves.toBeUndefined();
    await expect(geolocation.locate('not an ip')).resolves.toBeUndefined();
  });

  it('does not touch the file until the first lookup', async () => {
    const path = join(directory, 'missing.mmdb');

    const geolocation = createOfflineGeolocation({ databasePath: path });

    await expect(geolocation.locate(GOOGLE_DNS)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads the file once and keeps answering after it is removed', async () => {
    const path = join(directory, 'country.mmdb');
    await copyFile(defaultGeolocationDatabasePath(), path);
    const geolocation = createOfflineGeolocation({ databasePath: path });
    await geolocation.locate(GOOGLE_DNS);

    await rm(path);

    await expect(geolocation.locate('81.2.69.160')).resolves.toMatchObject({ countryCode: 'GB' });
  });

  it('tries again after a failed open, so a file that appears later is used', async () => {
    const path = join(directory, 'late.mmdb');
    const geolocation = createOfflineGeolocation({ databasePath: path });
    await expect(geolocation.locate(GOOGLE_DNS)).rejects.toThrow();

    await copyFile(defaultGeolocationDatabasePath(), path);

    await expect(geolocation.locate(GOOGLE_DNS)).resolves.toMatchObject({ countryCode: 'US' });
  });
});

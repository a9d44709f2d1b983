import { describe, expect, it } from 'vitest';

import { toGeoLocation } from './to-geo-location.ts';

describe(toGeoLocation.name, () => {
  it('upper-cases the country and keeps trimmed region and city', () => {
    expect(
      toGeoLocation('ipapi', {
        countryCode: ' us ',
        region: ' California ',
        city: 'Mountain View',
      }),
    ).toEqual({ countryCode: 'US', region: 'California', city: 'Mountain View', source: 'ipapi' });
  });

  it('leaves out empty or placeholder names', () => {
    expect(toGeoLocation('ipstack', { countryCode: 'DE', region: '', city: '-' })).toEqual({
      countryCode: 'DE',
      source: 'ipstack',
    });
  });

  it.each([null, undefined, '', 'USA', 'U1', 'ZZ', 'xx', 'EU', 'AP'])(
    'answers undefined for the country code %j',
    (countryCode) => {
      expect(toGeoLocation('offline', { countryCode })).toBeUndefined();
    },
  );
});

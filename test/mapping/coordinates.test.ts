import { ocpiToOicpCoordinates, oicpToOcpiCoordinates } from '../../src/mapping/coordinates';
import { corpusCases, corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';

describe('coordinates OCPI -> OICP', () => {
  it('writes DecimalDegree with the digits unchanged, padded to six decimals', () => {
    expect(ocpiToOicpCoordinates({ latitude: '51.047599', longitude: '3.729944' })).toEqual({
      value: { DecimalDegree: { Latitude: '51.047599', Longitude: '3.729944' } },
      findings: [],
    });
    expect(ocpiToOicpCoordinates({ latitude: '-33.86', longitude: '151.2' }).value).toEqual({ DecimalDegree: { Latitude: '-33.860000', Longitude: '151.200000' } });
  });

  it('rounds OCPI 2.2.1’s seventh decimal in decimal, not binary, and says so', () => {
    expect(ocpiToOicpCoordinates({ latitude: '51.0475995', longitude: '-3.9999996' }, 'location.coordinates')).toEqual({
      value: { DecimalDegree: { Latitude: '51.047600', Longitude: '-4.000000' } },
      findings: [
        { kind: 'loss', path: 'location.coordinates.latitude', message: 'rounded to 6 decimals (51.047600)' },
        { kind: 'loss', path: 'location.coordinates.longitude', message: 'rounded to 6 decimals (-4.000000)' },
      ],
    });
    expect(ocpiToOicpCoordinates({ latitude: '0.0000004', longitude: '3.7299440' })).toEqual({
      value: { DecimalDegree: { Latitude: '0.000000', Longitude: '3.729944' } },
      findings: [{ kind: 'loss', path: 'coordinates.latitude', message: 'rounded to 6 decimals (0.000000)' }],
    });
  });

  it.each([
    [{ latitude: '91.000000', longitude: '3.729944' }, ['location.latitude']],
    [{ latitude: '51.047599', longitude: '-180.000001' }, ['location.longitude']],
    [{ latitude: 'north', longitude: '3,72' }, ['location.latitude', 'location.longitude']],
    [{ latitude: '', longitude: '1e2' }, ['location.latitude', 'location.longitude']],
  ])('refuses %j', (geo, paths) => {
    const { value, findings } = ocpiToOicpCoordinates(geo, 'location');
    expect(value).toBeUndefined();
    expect(findings.map((f) => [f.kind, f.path])).toEqual(paths.map((p) => ['invalid', p]));
  });

  it.each(corpusCases('location').filter(([version, file]) => (corpusJson(version, file) as { coordinates?: unknown }).coordinates))('official example %s %s gives coordinates Hubject accepts, and back', (version, file) => {
    const { coordinates } = corpusJson(version, file) as { coordinates: { latitude: string; longitude: string } };
    const out = ocpiToOicpCoordinates(coordinates);
    expect(out.findings).toEqual([]);
    expect(oicpErrors('cpo', 'GeoCoordinates', out.value)).toEqual([]);
    expect(oicpToOcpiCoordinates(out.value!)).toEqual({ value: { latitude: coordinates.latitude.padEnd(coordinates.latitude.indexOf('.') + 7, '0'), longitude: coordinates.longitude.padEnd(coordinates.longitude.indexOf('.') + 7, '0') }, findings: [] });
  });
});

describe('coordinates OICP -> OCPI', () => {
  it.each([
    [{ DecimalDegree: { Latitude: '47.662249', Longitude: '9.360922' } }, { latitude: '47.662249', longitude: '9.360922' }],
    [{ Google: { Coordinates: '47.662249 9.360922' } }, { latitude: '47.662249', longitude: '9.360922' }],
    [{ Google: { Coordinates: '47.66,9.36' } }, { latitude: '47.660000', longitude: '9.360000' }],
    [{ DegreeMinuteSeconds: { Latitude: "47°39'44.10''", Longitude: "9°21'39.32''" } }, { latitude: '47.662250', longitude: '9.360922' }],
    [{ DegreeMinuteSeconds: { Latitude: "-21°34'23.16''", Longitude: "-9° 21' 39.32''" } }, { latitude: '-21.573100', longitude: '-9.360922' }],
    [{ DecimalDegree: { Latitude: '1.5', Longitude: '2.5' }, Google: { Coordinates: '9.0 9.0' } }, { latitude: '1.500000', longitude: '2.500000' }],
  ])('reads %j', (geo, expected) => {
    expect(oicpErrors('cpo', 'GeoCoordinates', geo)).toEqual([]);
    expect(oicpToOcpiCoordinates(geo)).toEqual({ value: expected, findings: [] });
  });

  it.each([
    [{}, 'GeoCoordinates', /none of Google, DecimalDegree or DegreeMinuteSeconds/],
    [{ Google: { Coordinates: 'somewhere' } }, 'GeoCoordinates.Google.Coordinates', /is not "latitude longitude"/],
    [{ DecimalDegree: { Latitude: '190.000000', Longitude: '9.0' } }, 'GeoCoordinates.DecimalDegree.Latitude', /is not a latitude/],
    [{ DegreeMinuteSeconds: { Latitude: "47°75'44.10''", Longitude: "9°21'39.32''" } }, 'GeoCoordinates.DegreeMinuteSeconds.Latitude', /degrees, minutes and seconds/],
  ])('refuses %j', (geo, path, message) => {
    const { value, findings } = oicpToOcpiCoordinates(geo);
    expect(value).toBeUndefined();
    expect(findings).toEqual([{ kind: 'invalid', path, message: expect.stringMatching(message) }]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocpiCdrToOicp, oicpCdrToOcpi as oicpCdrToOcpiUnchecked } from '../../src/mapping/cdr';
import { NO_RULES, type MappingRules } from '../../src/mapping/rules';
import { ocpiSignedDataToOicp, oicpEichrechtToOcpi } from '../../src/mapping/signed-data';
import type { Location } from '../../src/ocpi/wire/schemas';
import { Cdr, type SignedData } from '../../src/ocpi/wire/transaction-schemas';
import { cdr211To221 } from '../../src/mapping/ocpi-211/transactions';
import { check } from '../../src/core/typebox';
import { corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const oicpCdrToOcpi = writesOcpi(oicpCdrToOcpiUnchecked, '2.2.1', 'cdr');

const NOW = new Date('2025-01-15T12:00:00Z');
const SESSION_ID = 'b2688855-7f00-0002-6d8e-48d883f6abb6';
const CDR = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
/** The corpus location, holding the corpus CDR's EVSE (its coordinates fixed: the CDR example swaps them). */
const LOCATION: Location = (() => {
  const location = corpusJson('2.2.1', 'location_example.json') as Location;
  return { ...location, evses: [{ ...location.evses![0]!, evse_id: 'BE*BEC*E041503003', connectors: [location.evses![0]!.connectors[0]!] }] };
})();
/** An OCMF container as meters write it: payload and signature in one string, with characters JSON and XML escape. */
const OCMF =
  'OCMF|{"FV":"1.0","GI":"ABL SBC-301","GS":"808829900001","PG":"T1","MV":"Phoenix","MS":"12345","IS":true,"IT":"ISO14443","ID":"1F2D3A4B","RD":[{"TM":"2015-06-29T21:39:09,000+0000 S","TX":"B","RV":0.0,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"},{"TM":"2015-06-29T23:37:32,000+0000 S","TX":"E","RV":15.342,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}]}|{"SD":"304502200E3F0C5A1F\\u00e9<&>"}';

describe('OCPI CDR -> OICP ChargeDetailRecord', () => {
  it('the corpus CDR validates against the OpenAPI (both sides), losses reported', () => {
    const { value, findings } = ocpiCdrToOicp(CDR, { correlation: { sessionId: SESSION_ID } });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(oicpErrors('cpo', 'eRoamingChargeDetailRecord', value)).toEqual([]);
    expect(oicpErrors('emp', 'eRoamingChargeDetailRecord', value)).toEqual([]);
    expect(value).toMatchObject({
      SessionID: SESSION_ID,
      CPOPartnerSessionID: '12345',
      PartnerProductID: '12',
      EvseID: 'BE*BEC*E041503003',
      SessionStart: '2015-06-29T21:39:09Z',
      SessionEnd: '2015-06-29T23:37:32Z',
      ChargingStart: '2015-06-29T21:39:09Z',
      ConsumedEnergy: 15.342,
    });
    // The card number 012345678 is no OICP UID: the record identifies the driver by contract id.
    expect(value?.Identification).toEqual({ RemoteIdentification: { EvcoID: expect.stringMatching(/^DE8ACC12E46L89.$/) as string } });
    expect(findings.map((f) => f.path)).toEqual(expect.arrayContaining(['total_cost', 'cdr_location', 'cdr_token.uid', 'cdr_token.contract_id']));
  });

  it('without a Hubject SessionID there is no OICP CDR', () => {
    const { value, findings } = ocpiCdrToOicp(CDR);
    expect(value).toBeUndefined();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'session_id' }));
  });

  it('takes the SessionID from an authorization_reference that holds one', () => {
    expect(ocpiCdrToOicp({ ...CDR, authorization_reference: SESSION_ID }).value?.SessionID).toBe(SESSION_ID);
  });

  it('an EVSE with CalibrationLawDataAvailability External yields no CDR without signed values', () => {
    const rules: MappingRules = { ...NO_RULES, evses: [{ match: 'BE*BEC*E%', set: { calibrationLawDataAvailability: 'External' } }] };
    const { value, findings } = ocpiCdrToOicp(CDR, { rules, correlation: { sessionId: SESSION_ID } });
    expect(value).toBeUndefined();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'signed_data', message: expect.stringContaining('External') as string }));
    const signed: SignedData = { encoding_method: 'OCMF', signed_values: [{ nature: 'End', plain_data: OCMF, signed_data: OCMF }] };
    expect(ocpiCdrToOicp({ ...CDR, signed_data: signed }, { rules, correlation: { sessionId: SESSION_ID } }).value).toBeDefined();
  });

  it('a credit CDR is refused: OICP has no credit', () => {
    expect(ocpiCdrToOicp({ ...CDR, id: '12345-C', credit: true, credit_reference_id: '12345' }, { correlation: { sessionId: SESSION_ID } }).findings).toContainEqual(
      expect.objectContaining({ kind: 'invalid', path: 'credit' }),
    );
  });

  it('the 2.1.1 corpus CDR (known defects) gives findings, not a crash', () => {
    const up = cdr211To221(corpusJson('2.1.1', 'cdr_example.json'), { party: { countryCode: 'BE', partyId: 'BEC' } });
    expect(up.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'invalid', path: 'location.country' }), expect.objectContaining({ path: 'tariffs[0].elements[0].price_components[0].price' })]));
    const there = ocpiCdrToOicp(up.value, { correlation: { sessionId: SESSION_ID } });
    expect(there.value).toBeUndefined();
    expect(there.findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'cdr_location.country' }));
  });
});

describe('OICP ChargeDetailRecord -> OCPI CDR', () => {
  const record = () => ocpiCdrToOicp(CDR, { correlation: { sessionId: SESSION_ID } }).value!;
  const tariff = CDR.tariffs![0]!;

  it('computes the costs from the tariff: the corpus CDR comes back at its own 4.00 / 4.40', () => {
    const { value, findings } = oicpCdrToOcpi(record(), { tariff, location: LOCATION, now: NOW });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(check(Cdr, value).findings).toEqual([]);
    expect(value).toMatchObject({
      country_code: 'BE',
      party_id: 'BEC',
      id: SESSION_ID,
      session_id: SESSION_ID,
      currency: 'EUR',
      total_cost: { excl_vat: 4, incl_vat: 4.4 },
      total_time_cost: { excl_vat: 4, incl_vat: 4.4 },
      total_energy: 15.342,
      cdr_token: { country_code: 'DE', party_id: '8AC', type: 'APP_USER' },
      auth_method: 'COMMAND',
      cdr_location: { id: 'LOC1', evse_uid: '3256', evse_id: 'BE*BEC*E041503003', connector_id: '1', connector_standard: 'IEC_62196_T2' },
    });
    expect(value?.total_time).toBeCloseTo(1.973, 3);
  });

  it('without the tariff there is no OCPI CDR, and the finding says why', () => {
    const { value, findings } = oicpCdrToOcpi(record(), { location: LOCATION, now: NOW });
    expect(value).toBeUndefined();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'PartnerProductID', message: expect.stringContaining('carry no price') as string }));
  });

  it('without a tariff of the EVSE, prices with the one contracted in the rules for the operator (else "*"), and says so', () => {
    const contracted = (id: string, price: number) => ({ id, currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY' as const, price, vat: 21, step_size: 1 }] }], last_updated: '2025-01-01T00:00:00Z' });
    const rules: MappingRules = { ...NO_RULES, tariffs: { ...NO_RULES.tariffs, contracted: { '*': contracted('ANYONE', 0.5), 'BE*BEC': contracted('BEC-CONTRACT', 0.3) } } };
    const { value, findings } = oicpCdrToOcpi(record(), { rules, location: LOCATION, now: NOW });
    expect(check(Cdr, value).findings).toEqual([]);
    // 15.342 kWh at 0.30: 4.6026 excl., 21% VAT on top.
    expect(value).toMatchObject({ currency: 'EUR', total_energy_cost: { excl_vat: 4.6026 }, total_cost: { excl_vat: 4.6026, incl_vat: 5.569146 }, tariffs: [{ country_code: 'BE', party_id: 'BEC', id: 'BEC-CONTRACT' }] });
    expect(value!.charging_periods.every((p) => p.tariff_id === 'BEC-CONTRACT')).toBe(true);
    expect(findings).toContainEqual({ kind: 'default', path: 'PartnerProductID', message: expect.stringContaining('tariff BEC-CONTRACT, contracted with BE*BEC (mapping rules)') as string });
    const everyone = oicpCdrToOcpi(record(), { rules: { ...rules, tariffs: { ...rules.tariffs, contracted: { '*': contracted('ANYONE', 0.5) } } }, location: LOCATION, now: NOW });
    expect(everyone.value).toMatchObject({ total_cost: { excl_vat: 7.671 }, tariffs: [{ id: 'ANYONE' }] });
    // The EVSE's own tariff, when known, wins over any contract.
    expect(oicpCdrToOcpi(record(), { rules, tariff, location: LOCATION, now: NOW }).value).toMatchObject({ total_cost: { excl_vat: 4 } });
  });

  it('refuses a record whose ConsumedEnergy is not MeterValueEnd - MeterValueStart', () => {
    const { findings } = oicpCdrToOcpi({ ...record(), MeterValueStart: 100, MeterValueEnd: 110 }, { tariff, location: LOCATION, now: NOW });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'ConsumedEnergy' }));
  });

  it('a CDR with an OCMF signed value goes OCPI -> OICP -> OCPI with the signed string unchanged, byte for byte', () => {
    const signed: SignedData = { encoding_method: 'OCMF', encoding_method_version: 1, public_key: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', signed_values: [{ nature: 'End', plain_data: OCMF, signed_data: OCMF }] };
    const there = ocpiCdrToOicp({ ...CDR, signed_data: signed }, { correlation: { sessionId: SESSION_ID } });
    expect(oicpErrors('cpo', 'eRoamingChargeDetailRecord', there.value)).toEqual([]);
    expect(there.value?.SignedMeteringValues).toEqual([{ SignedMeteringValue: OCMF, MeteringStatus: 'End' }]);
    expect(there.value?.CalibrationLawVerificationInfo).toEqual({ MeteringSignatureEncodingFormat: 'OCMF', PublicKey: signed.public_key });
    const back = oicpCdrToOcpi(there.value, { tariff, location: LOCATION, now: NOW });
    const value = back.value!.signed_data!.signed_values[0]!;
    expect(Buffer.from(value.signed_data, 'utf8').equals(Buffer.from(OCMF, 'utf8'))).toBe(true);
    expect(Buffer.from(value.plain_data, 'utf8').equals(Buffer.from(OCMF, 'utf8'))).toBe(true);
    expect(back.value?.signed_data).toMatchObject({ encoding_method: 'OCMF', public_key: signed.public_key });
  });

  it('a Hubject CDR whose OCMF document is longer than plain_data’s 512 characters keeps it whole in signed_data and says what plain_data lost', () => {
    // Two more readings make the container 516+ characters, as meters with several tariff registers write it.
    const long = OCMF.replace('"RD":[', `"RD":[${'{"TM":"2015-06-29T22:00:00,000+0000 S","TX":"T","RV":7.1,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"},'.repeat(2)}`);
    expect(long.length).toBeGreaterThan(512);
    const there = ocpiCdrToOicp({ ...CDR, signed_data: { encoding_method: 'OCMF', signed_values: [{ nature: 'End', plain_data: long, signed_data: long }] } }, { correlation: { sessionId: SESSION_ID } });
    const back = oicpCdrToOcpi(there.value, { tariff, location: LOCATION, now: NOW });
    expect(back.value!.signed_data!.signed_values[0]).toEqual({ nature: 'End', plain_data: [...long].slice(0, 512).join(''), signed_data: long });
    expect(back.findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'signed_data.signed_values[0].plain_data' }));
  });
});

describe('signed data <-> SignedMeteringValues', () => {
  it('orders Start, Progress, End and keeps each value', () => {
    const { value } = ocpiSignedDataToOicp({
      encoding_method: 'Alfen Eichrecht',
      signed_values: [
        { nature: 'End', plain_data: 'e', signed_data: 'E' },
        { nature: 'Start', plain_data: 's', signed_data: 'S' },
        { nature: 'Intermediate', plain_data: 'i', signed_data: 'I' },
      ],
    });
    expect(value?.SignedMeteringValues.map((v) => `${v.MeteringStatus}:${v.SignedMeteringValue}`)).toEqual(['Start:S', 'Progress:I', 'End:E']);
  });

  it('a single value is End, reported when it said otherwise', () => {
    const { value, findings } = ocpiSignedDataToOicp({ encoding_method: 'OCMF', signed_values: [{ nature: 'Start', plain_data: OCMF, signed_data: OCMF }] });
    expect(value?.SignedMeteringValues[0]?.MeteringStatus).toBe('End');
    expect(findings).toEqual([expect.objectContaining({ kind: 'default', path: 'signed_data.signed_values[0].nature' })]);
  });

  it('refuses a value longer than OICP holds', () => {
    const long = 'x'.repeat(3001);
    expect(ocpiSignedDataToOicp({ encoding_method: 'OCMF', signed_values: [{ nature: 'End', plain_data: long, signed_data: long }] }).value).toBeUndefined();
  });

  it('recognises OCMF containers when the encoding is not given, and refuses unknown ones', () => {
    expect(oicpEichrechtToOcpi([{ SignedMeteringValue: OCMF, MeteringStatus: 'End' }], undefined).value?.encoding_method).toBe('OCMF');
    expect(oicpEichrechtToOcpi([{ SignedMeteringValue: 'abc', MeteringStatus: 'End' }], undefined).findings[0]?.kind).toBe('invalid');
  });
});

describe('the invoice fields of a CPO CDR, as Hubject\'s own example writes them', () => {
  // Hubject's example ChargeDetailRecord (fixtures/oicp, from the official OpenAPI), charged with an RFID card.
  const official = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'ChargeDetailRecord', 'request-eRoamingChargeDetailRecord.json'), 'utf8')) as Record<string, unknown> & {
    SignedMeteringValues: { SignedMeteringValue: string; MeteringStatus: string }[];
    CalibrationLawVerificationInfo: Record<string, string>;
    Identification: { RFIDIdentification: { UID: string; EvcoID: string } };
  };
  /** The OCPI CDR a CPO backend posts for the same charge. */
  const cdr: Cdr = {
    ...CDR,
    authorization_reference: official.SessionID as string,
    session_id: official.CPOPartnerSessionID as string,
    start_date_time: official.SessionStart as string,
    end_date_time: official.SessionEnd as string,
    cdr_token: { country_code: 'DE', party_id: 'DCB', uid: official.Identification.RFIDIdentification.UID, type: 'RFID', contract_id: official.Identification.RFIDIdentification.EvcoID },
    cdr_location: { ...CDR.cdr_location, evse_id: official.EvseID as string },
    charging_periods: [{ start_date_time: official.ChargingStart as string, dimensions: [{ type: 'ENERGY', volume: official.ConsumedEnergy as number }] }],
    total_energy: official.ConsumedEnergy as number,
    tariffs: [{ ...CDR.tariffs![0]!, id: official.PartnerProductID as string }],
    signed_data: {
      encoding_method: 'OCMF',
      public_key: official.CalibrationLawVerificationInfo.PublicKey,
      url: official.CalibrationLawVerificationInfo.MeteringSignatureUrl,
      signed_values: official.SignedMeteringValues.map((v) => ({ nature: v.MeteringStatus.toUpperCase(), plain_data: '', signed_data: v.SignedMeteringValue })),
    },
  };

  it('carries SessionID, EvseID, the card, the energy, the times and the signed meter values exactly as the example', () => {
    const rules: MappingRules = { ...NO_RULES, tariffs: { ...NO_RULES.tariffs, products: { [official.PartnerProductID as string]: official.PartnerProductID as string } } };
    const { value, findings } = ocpiCdrToOicp(cdr, { rules });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(oicpErrors('cpo', 'eRoamingChargeDetailRecord', value)).toEqual([]);
    for (const field of ['SessionID', 'EvseID', 'ConsumedEnergy', 'PartnerProductID', 'SignedMeteringValues'] as const) expect(value![field]).toEqual(official[field]);
    // Times: the same instants (OCPI writes whole seconds; the example carries milliseconds).
    for (const field of ['SessionStart', 'SessionEnd', 'ChargingStart'] as const) expect(Math.abs(Date.parse(value![field]) - Date.parse(official[field] as string))).toBeLessThan(1_000);
    expect(value!.Identification).toEqual({ RFIDIdentification: expect.objectContaining({ UID: official.Identification.RFIDIdentification.UID, EvcoID: official.Identification.RFIDIdentification.EvcoID }) as unknown });
    expect(value!.CalibrationLawVerificationInfo).toMatchObject({ PublicKey: official.CalibrationLawVerificationInfo.PublicKey, MeteringSignatureUrl: official.CalibrationLawVerificationInfo.MeteringSignatureUrl });
  });
});

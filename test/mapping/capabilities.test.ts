import { ocpiCapabilitiesToOicp, oicpToOcpiCapabilities, type OicpAccessFacts } from '../../src/mapping/capabilities';
import { OCPI_CAPABILITIES } from '../../src/ocpi/wire/vocabulary';
import { corpusCases, corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';

function expectOfficial(facts: OicpAccessFacts): void {
  for (const mode of facts.AuthenticationModes) expect(oicpErrors('cpo', 'AuthenticationMode', mode)).toEqual([]);
  for (const option of facts.PaymentOptions) expect(oicpErrors('cpo', 'PaymentOption', option)).toEqual([]);
  for (const service of facts.ValueAddedServices) expect(oicpErrors('cpo', 'ValueAddedService', service)).toEqual([]);
}

describe('capabilities OCPI -> OICP', () => {
  it.each([
    [['RFID_READER'], ['NFC RFID Classic'], ['Contract'], ['None']],
    [['REMOTE_START_STOP_CAPABLE'], ['REMOTE'], ['Contract'], ['None']],
    [['CREDIT_CARD_PAYABLE'], ['Direct Payment'], ['Direct'], ['None']],
    [['DEBIT_CARD_PAYABLE'], ['Direct Payment'], ['Direct'], ['None']],
    [['CHIP_CARD_SUPPORT'], ['Direct Payment'], ['Direct'], ['None']],
    [['CONTACTLESS_CARD_SUPPORT'], ['Direct Payment'], ['Direct'], ['None']],
    [['PED_TERMINAL'], ['Direct Payment'], ['Direct'], ['None']],
    [['RESERVABLE', 'RFID_READER'], ['NFC RFID Classic'], ['Contract'], ['Reservation']],
    [['REMOTE_START_STOP_CAPABLE', 'CREDIT_CARD_PAYABLE', 'RFID_READER', 'RFID_READER'], ['NFC RFID Classic', 'REMOTE', 'Direct Payment'], ['Direct', 'Contract'], ['None']],
  ])('%j', (capabilities, AuthenticationModes, PaymentOptions, ValueAddedServices) => {
    const mapped = ocpiCapabilitiesToOicp(capabilities);
    expect(mapped).toEqual({ value: { AuthenticationModes, PaymentOptions, ValueAddedServices }, findings: [] });
    expectOfficial(mapped.value);
  });

  it.each(['CHARGING_PROFILE_CAPABLE', 'CHARGING_PREFERENCES_CAPABLE', 'TOKEN_GROUP_CAPABLE', 'UNLOCK_CAPABLE', 'START_SESSION_CONNECTOR_REQUIRED'])(
    '%s has no OICP counterpart and is reported',
    (capability) => {
      const { findings } = ocpiCapabilitiesToOicp(['RFID_READER', capability], 'evses[0].capabilities');
      expect(findings).toEqual([{ kind: 'loss', path: 'evses[0].capabilities[1]', message: `OICP has no counterpart of ${capability}` }]);
    },
  );

  it('refuses values that are not OCPI capabilities', () => {
    expect(ocpiCapabilitiesToOicp(['RFID_READER', 'rfid_reader', 'toString']).findings).toEqual([
      { kind: 'invalid', path: 'capabilities[1]', message: '"rfid_reader" is not an OCPI capability' },
      { kind: 'invalid', path: 'capabilities[2]', message: '"toString" is not an OCPI capability' },
    ]);
  });

  it('takes the operator defaults when capabilities do not say how drivers authenticate and pay, and reports it', () => {
    const defaults = { authenticationModes: ['NFC RFID Classic', 'REMOTE'] as const, paymentOptions: ['Contract'] as const };
    expect(ocpiCapabilitiesToOicp(['RESERVABLE'], 'capabilities', { authenticationModes: [...defaults.authenticationModes], paymentOptions: [...defaults.paymentOptions] })).toEqual({
      value: { AuthenticationModes: ['NFC RFID Classic', 'REMOTE'], PaymentOptions: ['Contract'], ValueAddedServices: ['Reservation'] },
      findings: [
        { kind: 'default', path: 'capabilities', message: expect.stringContaining('AuthenticationModes') },
        { kind: 'default', path: 'capabilities', message: expect.stringContaining('PaymentOptions') },
      ],
    });
  });

  it('says what is missing when nothing, not even a default, tells', () => {
    expect(ocpiCapabilitiesToOicp(undefined).findings).toEqual([
      { kind: 'invalid', path: 'capabilities', message: expect.stringMatching(/AuthenticationModes.*no operator default/) },
      { kind: 'invalid', path: 'capabilities', message: expect.stringMatching(/PaymentOptions.*no operator default/) },
    ]);
  });

  it('decides every OCPI capability', () => {
    for (const capability of OCPI_CAPABILITIES) {
      const { findings } = ocpiCapabilitiesToOicp([capability], 'c', { authenticationModes: ['REMOTE'], paymentOptions: ['Contract'] });
      expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    }
  });

  it.each(corpusCases('location').filter(([version, file]) => Array.isArray((corpusJson(version, file) as { evses?: unknown }).evses)))('official example %s %s: with operator defaults, every EVSE yields lists Hubject accepts', (version, file) => {
    const { evses } = corpusJson(version, file) as { evses: { capabilities?: string[] }[] };
    for (const [i, evse] of evses.entries()) {
      const mapped = ocpiCapabilitiesToOicp(evse.capabilities, `evses[${i}].capabilities`, { authenticationModes: ['NFC RFID Classic'], paymentOptions: ['Contract'] });
      expect(mapped.findings.map((f) => f.kind)).toEqual(['default', 'default']);
      expect(mapped.value.ValueAddedServices).toEqual(evse.capabilities?.includes('RESERVABLE') ? ['Reservation'] : ['None']);
      expectOfficial(mapped.value);
    }
  });
});

describe('capabilities OICP -> OCPI', () => {
  it('reads authentication modes and services into capabilities, in OCPI order', () => {
    expect(oicpToOcpiCapabilities({ AuthenticationModes: ['REMOTE', 'NFC RFID DESFire', 'NFC RFID Classic'], PaymentOptions: ['Contract'], ValueAddedServices: ['Reservation'] })).toEqual({
      value: ['REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER'],
      findings: [],
    });
  });

  it.each([
    ['AuthenticationModes', 'Direct Payment', 'default', /CREDIT_CARD_PAYABLE assumed/],
    ['AuthenticationModes', 'PnC', 'loss', /Plug & Charge/],
    ['AuthenticationModes', 'No Authentication Required', 'loss', /without authentication/],
    ['PaymentOptions', 'No Payment', 'loss', /through the tariff/],
    ['ValueAddedServices', 'ParkingSensors', 'loss', /parking sensors/],
    ['ValueAddedServices', 'RoofProvided', 'loss', /roof/],
    ['ValueAddedServices', 'MaximumPowerCharging', 'loss', /maximum power/],
    ['ValueAddedServices', 'PredictiveChargePointUsage', 'loss', /predictive/],
    ['ValueAddedServices', 'ChargingPlans', 'loss', /charging plans/],
    ['AuthenticationModes', 'NFC', 'invalid', /"NFC" is not an OICP AuthenticationMode/],
    ['PaymentOptions', 'Cash', 'invalid', /"Cash" is not an OICP PaymentOption/],
    ['ValueAddedServices', 'WiFi', 'invalid', /"WiFi" is not an OICP ValueAddedService/],
  ])('%s %s -> %s', (field, value, kind, message) => {
    const { findings } = oicpToOcpiCapabilities({ [field]: [value] }, 'EvseDataRecord[0]');
    expect(findings).toEqual([{ kind, path: `EvseDataRecord[0].${field}[0]`, message: expect.stringMatching(message) }]);
  });

  it('round-trips what both sides can say', () => {
    const there = ocpiCapabilitiesToOicp(['RESERVABLE', 'REMOTE_START_STOP_CAPABLE', 'RFID_READER', 'CREDIT_CARD_PAYABLE']);
    const back = oicpToOcpiCapabilities(there.value);
    expect(back.value).toEqual(['CREDIT_CARD_PAYABLE', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER']);
    // The one assumption on the way back is reported.
    expect(back.findings).toEqual([{ kind: 'default', path: 'AuthenticationModes[2]', message: expect.stringContaining('CREDIT_CARD_PAYABLE assumed') }]);
  });
});

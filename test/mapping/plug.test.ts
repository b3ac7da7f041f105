import { ocpiToOicpPlug, oicpToOcpiConnector } from '../../src/mapping/plug';
import { OICP_PLUGS } from '../../src/oicp/wire/vocabulary';
import { oicpErrors } from '../support/oicp-schema';

/** Every OCPI 2.2.1 connector standard (a superset of 2.1.1's). */
const OCPI_STANDARDS = [
  'CHADEMO', 'CHAOJI', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F', 'DOMESTIC_G', 'DOMESTIC_H',
  'DOMESTIC_I', 'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'DOMESTIC_M', 'DOMESTIC_N', 'DOMESTIC_O', 'GBT_AC', 'GBT_DC',
  'IEC_60309_2_single_16', 'IEC_60309_2_three_16', 'IEC_60309_2_three_32', 'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO',
  'IEC_62196_T2', 'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'NEMA_5_20', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30',
  'NEMA_10_50', 'NEMA_14_30', 'NEMA_14_50', 'PANTOGRAPH_BOTTOM_UP', 'PANTOGRAPH_TOP_DOWN', 'TESLA_R', 'TESLA_S',
];

describe('plug OCPI -> OICP', () => {
  it.each([
    ['IEC_62196_T2', 'SOCKET', 'Type 2 Outlet', undefined],
    ['IEC_62196_T2', 'CABLE', 'Type 2 Connector (Cable Attached)', undefined],
    ['IEC_62196_T2_COMBO', 'CABLE', 'CCS Combo 2 Plug (Cable Attached)', undefined],
    ['IEC_62196_T2_COMBO', 'SOCKET', 'CCS Combo 2 Plug (Cable Attached)', 'format SOCKET is not carried'],
    ['IEC_62196_T1', 'CABLE', 'Type 1 Connector (Cable Attached)', undefined],
    ['IEC_62196_T1', 'SOCKET', 'Type 1 Connector (Cable Attached)', 'format SOCKET is not carried'],
    ['IEC_62196_T1_COMBO', 'CABLE', 'CCS Combo 1 Plug (Cable Attached)', undefined],
    ['IEC_62196_T3A', 'SOCKET', 'Type 3 Outlet', undefined],
    ['IEC_62196_T3C', 'CABLE', 'Type 3 Outlet', 'format CABLE is not carried'],
    ['CHADEMO', 'CABLE', 'CHAdeMO', undefined],
    ['DOMESTIC_E', 'SOCKET', 'Type E French Standard', undefined],
    ['DOMESTIC_F', 'SOCKET', 'Type F Schuko', undefined],
    ['DOMESTIC_G', 'SOCKET', 'Type G British Standard', undefined],
    ['DOMESTIC_J', 'SOCKET', 'Type J Swiss Standard', undefined],
    ['IEC_60309_2_single_16', 'SOCKET', 'IEC 60309 Single Phase', undefined],
    ['IEC_60309_2_three_16', 'SOCKET', 'IEC 60309 Three Phase', undefined],
    ['IEC_60309_2_three_32', 'SOCKET', 'IEC 60309 Three Phase', undefined],
    ['IEC_60309_2_three_64', 'SOCKET', 'IEC 60309 Three Phase', undefined],
    ['NEMA_5_20', 'SOCKET', 'NEMA 5-20', undefined],
    ['TESLA_R', 'CABLE', 'Tesla Connector', undefined],
    ['TESLA_S', 'CABLE', 'Tesla Connector', undefined],
  ])('%s %s -> %s', (standard, format, plug, loss) => {
    const mapped = ocpiToOicpPlug(standard, format);
    expect(mapped).toEqual(loss ? { outcome: 'plug', plug, loss: expect.stringContaining(loss) } : { outcome: 'plug', plug });
    expect(oicpErrors('cpo', 'Plug', plug)).toEqual([]);
  });

  it.each(['CHAOJI', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_H', 'DOMESTIC_I', 'DOMESTIC_K', 'DOMESTIC_L', 'DOMESTIC_M',
    'DOMESTIC_N', 'DOMESTIC_O', 'GBT_AC', 'GBT_DC', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30', 'NEMA_10_50', 'NEMA_14_30', 'NEMA_14_50',
    'PANTOGRAPH_BOTTOM_UP', 'PANTOGRAPH_TOP_DOWN', 'iec_62196_t2', 'toString'])('%s has no OICP plug', (standard) => {
    expect(ocpiToOicpPlug(standard, 'SOCKET')).toEqual({ outcome: 'unmapped', reason: `OICP has no plug for OCPI connector standard ${standard}` });
  });

  it('refuses a format OCPI does not define', () => {
    expect(ocpiToOicpPlug('IEC_62196_T2', 'TETHERED')).toEqual({ outcome: 'unmapped', reason: '"TETHERED" is not an OCPI connector format' });
  });

  it('decides every OCPI standard one way or the other', () => {
    const decided = OCPI_STANDARDS.map((standard) => ocpiToOicpPlug(standard, 'SOCKET').outcome);
    expect(decided.filter((o) => o === 'plug')).toHaveLength(18);
    expect(decided.filter((o) => o === 'unmapped')).toHaveLength(OCPI_STANDARDS.length - 18);
  });
});

describe('plug OICP -> OCPI', () => {
  it.each([
    ['Type 2 Outlet', 'IEC_62196_T2', 'SOCKET', undefined, 'AC'],
    ['Type 2 Connector (Cable Attached)', 'IEC_62196_T2', 'CABLE', undefined, 'AC'],
    ['Type 1 Connector (Cable Attached)', 'IEC_62196_T1', 'CABLE', undefined, 'AC'],
    ['Type 3 Outlet', 'IEC_62196_T3C', 'SOCKET', 'Type 3A from 3C', 'AC'],
    ['CCS Combo 2 Plug (Cable Attached)', 'IEC_62196_T2_COMBO', 'CABLE', undefined, 'DC'],
    ['CCS Combo 1 Plug (Cable Attached)', 'IEC_62196_T1_COMBO', 'CABLE', undefined, 'DC'],
    ['CHAdeMO', 'CHADEMO', 'CABLE', undefined, 'DC'],
    ['Type E French Standard', 'DOMESTIC_E', 'SOCKET', undefined, 'AC'],
    ['Type F Schuko', 'DOMESTIC_F', 'SOCKET', undefined, 'AC'],
    ['Type G British Standard', 'DOMESTIC_G', 'SOCKET', undefined, 'AC'],
    ['Type J Swiss Standard', 'DOMESTIC_J', 'SOCKET', undefined, 'AC'],
    ['IEC 60309 Single Phase', 'IEC_60309_2_single_16', 'SOCKET', undefined, 'AC'],
    ['IEC 60309 Three Phase', 'IEC_60309_2_three_16', 'SOCKET', '16 A assumed', 'AC'],
    ['NEMA 5-20', 'NEMA_5_20', 'SOCKET', undefined, 'AC'],
    ['Tesla Connector', 'TESLA_R', 'CABLE', 'TESLA_R assumed', 'any'],
  ])('%s -> %s %s (%s, current %s)', (plug, standard, format, assumed, current) => {
    expect(oicpToOcpiConnector(plug)).toEqual(
      assumed ? { outcome: 'connector', standard, format, current, assumed: expect.stringContaining(assumed) } : { outcome: 'connector', standard, format, current },
    );
  });

  it.each(['Small Paddle Inductive', 'Large Paddle Inductive', 'AVCON Connector'])('%s has no OCPI standard', (plug) => {
    expect(oicpToOcpiConnector(plug)).toEqual({ outcome: 'unmapped', reason: `OCPI has no connector standard for the OICP plug "${plug}"` });
  });

  it('refuses a name that is not an OICP plug', () => {
    expect(oicpToOcpiConnector('Type 2')).toEqual({ outcome: 'unmapped', reason: '"Type 2" is not an OICP Plug' });
  });

  it('maps every OICP plug that has a counterpart back to itself', () => {
    for (const plug of OICP_PLUGS) {
      const connector = oicpToOcpiConnector(plug);
      if (connector.outcome === 'unmapped') continue;
      expect(ocpiToOicpPlug(connector.standard, connector.format)).toEqual({ outcome: 'plug', plug });
    }
  });

  it('knows exactly the plugs of the official schema', () => {
    for (const plug of OICP_PLUGS) expect(oicpErrors('cpo', 'Plug', plug)).toEqual([]);
    expect(oicpErrors('cpo', 'Plug', 'Type 2')).toEqual(['/ must be equal to one of the allowed values']);
  });
});

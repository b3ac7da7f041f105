/**
 * The EVSE status and plug tables of docs/mapping-decisions.md against the mapping modules, row by
 * row both ways: a row the code disagrees with, a value the page leaves out and a row naming a value
 * the protocols do not have all fail, so the page and the code change together.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocpiToOicpStatus, oicpToOcpiStatus } from '../../src/mapping/evse-status';
import { ocpiToOicpPlug, oicpToOcpiConnector, type ConnectorFormat } from '../../src/mapping/plug';
import { CONNECTOR_TYPES } from '../../src/ocpi/wire/schemas';
import { OCPI_EVSE_STATUSES } from '../../src/ocpi/wire/vocabulary';
import { OICP_EVSE_STATUSES, OICP_PLUGS } from '../../src/oicp/wire/vocabulary';
import { table } from '../support/markdown';

const PAGE = readFileSync(join(__dirname, '..', '..', 'docs', 'mapping-decisions.md'), 'utf8');

const byKey = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
const unquote = (cell: string) => cell.replace(/`/g, '');
/** A finding column: its kind (`loss: ...` -> `loss`), or none. */
const findingKind = (cell: string | undefined) => (cell ? (cell.split(':', 1)[0] ?? '') : '');

describe('docs/mapping-decisions.md agrees with the mapping modules', () => {
  it('EVSE status, OCPI -> OICP', () => {
    const page = table(PAGE, 'OCPI status').map(([status, oicp, finding]) => [status, oicp, findingKind(finding)]);
    const code = OCPI_EVSE_STATUSES.map((status) => {
      const mapped = ocpiToOicpStatus(status);
      switch (mapped.outcome) {
        case 'status':
          return [status, mapped.status, mapped.loss ? 'loss' : ''];
        case 'withhold':
          return [status, '*withheld*', 'loss'];
        case 'delete':
          return [status, '*deleted*', 'loss'];
        case 'unmapped':
          return [status, '*unmapped*', 'invalid'];
      }
    });
    expect(byKey(page)).toEqual(byKey(code));
  });

  it('EVSE status, OICP -> OCPI', () => {
    const page = table(PAGE, 'OICP EvseStatus').map(([status, ocpi, finding]) => [status, ocpi, findingKind(finding)]);
    const code = OICP_EVSE_STATUSES.map((status) => {
      const mapped = oicpToOcpiStatus(status);
      return mapped.outcome === 'status' ? [status, mapped.status, mapped.loss ? 'loss' : ''] : [status, '*unmapped*', 'invalid'];
    });
    expect(byKey(page)).toEqual(byKey(code));
  });

  it('plugs, OCPI standard and format -> OICP Plug', () => {
    // A plug cell is `Plug` or `Plug — loss: ...`; one row may list several standards that map alike.
    const plugCell = (cell: string) => {
      const [plug = '', finding] = cell.split(' — ', 2);
      return plug === '*unmapped*' ? 'unmapped' : finding ? `${plug} (${findingKind(finding)})` : plug;
    };
    const page = table(PAGE, 'OCPI standard').flatMap(([standards = '', socket = '', cable = '']) =>
      unquote(standards)
        .split(',')
        .map((standard) => [standard.trim(), plugCell(socket), plugCell(cable)]),
    );
    const codeCell = (standard: string, format: ConnectorFormat) => {
      const mapped = ocpiToOicpPlug(standard, format);
      return mapped.outcome === 'unmapped' ? 'unmapped' : mapped.loss ? `${mapped.plug} (loss)` : mapped.plug;
    };
    const code = CONNECTOR_TYPES.map((standard) => [standard, codeCell(standard, 'SOCKET'), codeCell(standard, 'CABLE')]);
    expect(byKey(page)).toEqual(byKey(code));
  });

  it('plugs, OICP Plug -> OCPI standard and format', () => {
    const page = table(PAGE, 'OICP Plug').map(([plug, standard = '', format, finding]) => [plug, unquote(standard), format, findingKind(finding)]);
    const code = OICP_PLUGS.map((plug) => {
      const mapped = oicpToOcpiConnector(plug);
      return mapped.outcome === 'unmapped' ? [plug, '*unmapped*', '', ''] : [plug, mapped.standard, mapped.format, mapped.assumed ? 'default' : ''];
    });
    expect(byKey(page)).toEqual(byKey(code));
  });
});

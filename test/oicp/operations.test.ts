import { basename } from 'node:path';
import { check } from '../../src/core/typebox';
import { OPERATIONS, OPERATION_NAMES, calledOperations, operationPath, servedOperations, type OicpOperation, type OperationName } from '../../src/oicp/wire/operations';
import { apisOf, exampleOf, officialBodies, officialPaths, pathShape } from '../support/oicp-schema';

const ourPath = (name: OperationName) => pathShape(operationPath(name, { param: 'partyId' }));

describe('OICP operation table', () => {
  it('holds exactly the operations of both official OpenAPI documents, at their paths', () => {
    for (const api of ['cpo', 'emp'] as const) {
      const official = Object.keys(officialPaths(api)).map(pathShape).sort();
      const ours = OPERATION_NAMES.filter((name) => apisOf(OPERATIONS[name]).includes(api)).map(ourPath).sort();
      expect(ours).toEqual(official);
    }
  });

  it('names the party of the path as the document does', () => {
    for (const name of OPERATION_NAMES) {
      const operation: OicpOperation = OPERATIONS[name];
      const expected = operation.party === 'none' ? '' : `/${operation.party}s/{id}/`;
      if (expected) expect(ourPath(name)).toContain(expected);
      else expect(ourPath(name)).not.toMatch(/operators|providers/);
    }
  });

  it('accepts the official example of every request and response', () => {
    const refused: string[] = [];
    for (const name of OPERATION_NAMES) {
      const operation: OicpOperation = OPERATIONS[name];
      for (const api of apisOf(operation)) {
        const path = operationPath(name, { param: 'partyId' });
        const bodies = [
          ...officialBodies(api, path, 'request').map((file) => ({ file, schema: operation.request })),
          ...officialBodies(api, path, 'response').map((file) => ({ file, schema: operation.response })),
        ];
        for (const { file, schema } of bodies) {
          const example = exampleOf(file);
          if (example === undefined) continue;
          const { findings } = check(schema, example);
          if (findings.length > 0) refused.push(`${api} ${name} ${basename(file)}: ${findings.map((f) => `${f.path} ${f.message}`).join('; ')}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it('derives who serves and who calls from the table', () => {
    expect(servedOperations('CPO').sort()).toEqual(['AuthorizeRemoteReservationStart', 'AuthorizeRemoteReservationStop', 'AuthorizeRemoteStart', 'AuthorizeRemoteStop']);
    expect(servedOperations('EMP').sort()).toEqual(['AuthorizeStart', 'AuthorizeStop', 'ChargeDetailRecord', 'ChargingNotification']);
    expect(servedOperations('HUB')).toHaveLength(OPERATION_NAMES.length);
    expect(calledOperations('HUB').sort()).toEqual([...servedOperations('CPO'), ...servedOperations('EMP')].sort());
    expect(calledOperations('CPO')).toContain('PushEvseData');
    expect(calledOperations('CPO')).not.toContain('PullEvseData');
  });

  it('writes the party id into the path as configured, escaped', () => {
    expect(operationPath('PushEvseData', 'DE*ABC')).toBe('/api/oicp/evsepush/v23/operators/DE*ABC/data-records');
    expect(operationPath('ChargingNotification', 'ignored')).toBe('/api/oicp/notificationmgmt/v11/charging-notifications');
    expect(operationPath('PullEvseData', 'DE-DCB/x')).toBe('/api/oicp/evsepull/v23/providers/DE-DCB%2Fx/data-records');
  });
});

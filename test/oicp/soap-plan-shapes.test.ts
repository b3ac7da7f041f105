/**
 * The member plans the reader reads for every element keep fast properties (src/oicp/soap/plan.ts):
 * a member of an object element given its own lazy `child` getter was put in dictionary mode, and
 * the reader's reads of members went megamorphic (3% of a bulk decode).
 */
import { setFlagsFromString } from 'node:v8';
import { runInThisContext } from 'node:vm';
import { planOf, type MemberPlan, type ObjectPlan } from '../../src/oicp/soap/plan';
import { OPERATIONS } from '../../src/oicp/wire/operations';
import { LATEST_RELEASE } from '../../src/oicp/wire/soap-services';

setFlagsFromString('--allow-natives-syntax');
const fastProperties = runInThisContext('(object) => %HasFastProperties(object)') as (object: unknown) => boolean;

/** Every member of `plan` and of the plans below it. */
function membersBelow(plan: ObjectPlan, seen = new Set<ObjectPlan>()): MemberPlan[] {
  if (seen.has(plan)) return [];
  seen.add(plan);
  return [...plan.byName.values()].flatMap((member) => [member, ...(member.child ? membersBelow(member.child, seen) : [])]);
}

describe('SOAP plans', () => {
  it('keep every member of a push of EVSE data in fast properties', () => {
    const operation = OPERATIONS.PushEvseData;
    const members = membersBelow(planOf(operation.request, operation.soap.request, LATEST_RELEASE, operation.caller, false));
    expect(members.filter((member) => member.child !== undefined).length).toBeGreaterThan(5);
    expect(members.filter((member) => !fastProperties(member)).map((member) => member.key)).toEqual([]);
  });
});

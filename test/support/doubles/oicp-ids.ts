/**
 * OICP identifier grammar (EvseID.yaml, OperatorID.yaml, ProviderID.yaml): ISO ids with optional
 * `*` separators, DIN ids with mandatory ones. The hub checks that an EVSE belongs to the operator
 * that pushes it (StatusCode 018); these functions reduce both sides to a comparable key.
 */

const ISO_OPERATOR = /^([A-Za-z]{2})\*?([A-Za-z0-9]{3})$/;
const DIN_OPERATOR = /^\+?([0-9]{1,3})\*([0-9]{3})$/;
const ISO_EVSE = /^([A-Za-z]{2})\*?([A-Za-z0-9]{3})\*?E/;
const DIN_EVSE = /^\+?([0-9]{1,3})\*([0-9]{3})\*/;

/**
 * `ISO:DEABC` or `DIN:49810`; undefined for text that is no OperatorID. Upper-cased: the grammar allows
 * either case, and a check that told `de*abc` from `DE*ABC` would test spelling, not ownership.
 */
export function operatorKey(operatorId: string): string | undefined {
  const iso = ISO_OPERATOR.exec(operatorId);
  if (iso) return `ISO:${iso[1]!}${iso[2]!}`.toUpperCase();
  const din = DIN_OPERATOR.exec(operatorId);
  return din ? `DIN:${din[1]!}${din[2]!}` : undefined;
}

/** The operator key of the operator an EvseID names. */
export function operatorKeyOfEvse(evseId: string): string | undefined {
  const iso = ISO_EVSE.exec(evseId);
  if (iso) return `ISO:${iso[1]!}${iso[2]!}`.toUpperCase();
  const din = DIN_EVSE.exec(evseId);
  return din ? `DIN:${din[1]!}${din[2]!}` : undefined;
}

/** The OperatorID an EvseID names, written with separators (`DE*ABC`, `+49*810`). */
export function operatorOfEvse(evseId: string): string | undefined {
  const iso = ISO_EVSE.exec(evseId);
  if (iso) return `${iso[1]!}*${iso[2]!}`.toUpperCase();
  const din = DIN_EVSE.exec(evseId);
  return din ? `+${din[1]!}*${din[2]!}` : undefined;
}

/** ProviderIDs compared without their optional separators (`DE-DCB`, `DE*DCB`, `DEDCB` are one EMP). */
export const providerKey = (providerId: string): string => providerId.replace(/[-*]/g, '').toUpperCase();

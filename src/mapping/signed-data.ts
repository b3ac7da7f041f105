/**
 * Eichrecht (German calibration law) data: OCPI `signed_data` <-> OICP SignedMeteringValues and
 * CalibrationLawVerificationInfo (../shared/spec/mapping.md §4.10).
 *
 * Signed payloads are opaque and pass byte for byte. OCPI names the reading by `nature` (Start,
 * Intermediate, End), OICP by MeteringStatus (Start, Progress, End). Our convention for the one value
 * string OICP has: it is OCPI's `signed_data`; on the way back it fills both `plain_data` and
 * `signed_data`, which is exactly how an OCMF container (payload and signature in one string) is
 * carried. A single value is an End value, as a single OCMF container holds both readings.
 */
import type { SignedData, SignedValue } from '../ocpi/wire/transaction-schemas';
import type { CalibrationLawVerificationInfo, MeteringStatus, SignedMeteringValue } from '../oicp/wire/transaction-schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';

interface OicpEichrecht {
  SignedMeteringValues: SignedMeteringValue[];
  CalibrationLawVerificationInfo: CalibrationLawVerificationInfo;
}

const STATUS_ORDER: Record<MeteringStatus, number> = { Start: 0, Progress: 1, End: 2 };

function statusOf(nature: string): MeteringStatus {
  const word = nature.toUpperCase();
  if (word === 'START') return 'Start';
  if (word === 'END' || word === 'STOP') return 'End';
  return 'Progress';
}

const NATURE: Record<MeteringStatus, string> = { Start: 'Start', Progress: 'Intermediate', End: 'End' };

export function ocpiSignedDataToOicp(signed: SignedData, path = 'signed_data'): Mapped<OicpEichrecht | undefined> {
  const log = new FindingLog();
  const single = signed.signed_values.length === 1;
  const values = signed.signed_values.flatMap((value: SignedValue, i) => {
    const at = childPath(childPath(path, 'signed_values'), i);
    if (value.signed_data.length > 3000) {
      log.invalid(childPath(at, 'signed_data'), `OICP SignedMeteringValue holds 3000 characters; this one has ${value.signed_data.length}`);
      return [];
    }
    if (value.plain_data !== value.signed_data) log.loss(childPath(at, 'plain_data'), 'OICP carries one string per reading: the signed_data; plain_data is not carried');
    const status = single ? 'End' : statusOf(value.nature);
    if (single && statusOf(value.nature) !== 'End') log.defaulted(childPath(at, 'nature'), `a single signed value (one OCMF container holds both readings) is sent as End, not ${value.nature}`);
    return [{ SignedMeteringValue: value.signed_data, MeteringStatus: status }];
  });
  if (values.length < signed.signed_values.length) return log.result(undefined);
  values.sort((a, b) => STATUS_ORDER[a.MeteringStatus] - STATUS_ORDER[b.MeteringStatus]);
  if (signed.encoding_method_version !== undefined) log.loss(childPath(path, 'encoding_method_version'), 'OICP has no encoding version field');
  const info: CalibrationLawVerificationInfo = {
    MeteringSignatureEncodingFormat: signed.encoding_method,
    ...(signed.public_key !== undefined && { PublicKey: signed.public_key }),
    ...(signed.url !== undefined && { MeteringSignatureUrl: signed.url }),
  };
  if (signed.url !== undefined && signed.url.length > 200) {
    log.invalid(childPath(path, 'url'), 'OICP MeteringSignatureUrl holds 200 characters');
    return log.result(undefined);
  }
  return log.result({ SignedMeteringValues: values, CalibrationLawVerificationInfo: info });
}

export function oicpEichrechtToOcpi(
  values: readonly SignedMeteringValue[],
  info: CalibrationLawVerificationInfo | undefined,
  path = '',
): Mapped<SignedData | undefined> {
  const log = new FindingLog();
  if (values.length === 0) return log.result(undefined);
  let method = info?.MeteringSignatureEncodingFormat;
  if (method === undefined) {
    if (values.every((v) => v.SignedMeteringValue.startsWith('OCMF|'))) {
      method = 'OCMF';
      log.defaulted(childPath(path, 'CalibrationLawVerificationInfo'), 'no MeteringSignatureEncodingFormat; the values are OCMF containers');
    } else {
      log.invalid(childPath(path, 'CalibrationLawVerificationInfo.MeteringSignatureEncodingFormat'), 'OCPI needs the encoding method of signed values, and none is given');
      return log.result(undefined);
    }
  }
  if (method.length > 36) log.loss(childPath(path, 'CalibrationLawVerificationInfo.MeteringSignatureEncodingFormat'), 'OCPI encoding_method holds 36 characters; cut');
  if (info?.CalibrationLawCertificateID !== undefined) log.loss(childPath(path, 'CalibrationLawVerificationInfo.CalibrationLawCertificateID'), 'OCPI signed data has no certificate id');
  if (info?.SignedMeteringValuesVerificationInstruction !== undefined) {
    log.loss(childPath(path, 'CalibrationLawVerificationInfo.SignedMeteringValuesVerificationInstruction'), 'OCPI signed data has no verification instruction');
  }
  if (info?.PublicKey !== undefined && info.PublicKey.length > 512) {
    log.invalid(childPath(path, 'CalibrationLawVerificationInfo.PublicKey'), 'OCPI public_key holds 512 characters');
    return log.result(undefined);
  }
  return log.result({
    encoding_method: method.slice(0, 36),
    ...(info?.PublicKey !== undefined && { public_key: info.PublicKey }),
    signed_values: values.map((v) => ({ nature: NATURE[v.MeteringStatus], plain_data: v.SignedMeteringValue, signed_data: v.SignedMeteringValue })),
    ...(info?.MeteringSignatureUrl !== undefined && { url: info.MeteringSignatureUrl }),
  });
}

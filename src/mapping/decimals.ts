/**
 * Decimal numbers after arithmetic in binary floating point: kWh, hours and prices are rounded to
 * six places, below what either protocol shows (OCPI four, OICP three or four) and above any float
 * noise (0.1 + 0.2 = 0.30000000000000004), so translations compare and read as written.
 */
export function sixDecimals(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

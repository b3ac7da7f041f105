import { retryDelay } from '../../src/store';

const policy = { baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2 };

describe('retry delay', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [40, 60_000],
  ])('after attempt %i is %i ms without spread', (attempt, expected) => {
    expect(retryDelay(attempt, { ...policy, jitter: 0 })).toBe(expected);
  });

  it('spreads each delay by ±jitter and never past the cap', () => {
    expect(retryDelay(3, policy, () => 0)).toBe(3_200);
    expect(retryDelay(3, policy, () => 0.999999)).toBe(4_800);
    expect(retryDelay(7, policy, () => 0)).toBe(48_000);
    expect(retryDelay(7, policy, () => 0.999999)).toBe(60_000);
  });
});

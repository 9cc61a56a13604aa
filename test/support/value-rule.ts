/**
 * The values a metric recorder takes, written out independently of the runtime (metrics.ts,
 * `acceptable`) and of the generator (`acceptedValue`), so tests can hold both to it: finite;
 * not negative for counters and histograms; whole for integer metrics.
 */
export function acceptsValue(instrument: string, valueType: string, value: number): boolean {
  return Number.isFinite(value) && !((instrument === 'counter' || instrument === 'histogram') && value < 0) && !(valueType === 'int' && !Number.isInteger(value));
}

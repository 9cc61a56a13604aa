/**
 * Units are UCUM case-sensitive codes (as the semantic conventions require):
 * `ms`, `s`, `By/s`, `1`, or annotations in braces such as `{token}`.
 */
import type { SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';

export function checkUnit(unit: string, what: string, location: SourceLocation, problems: Problems): void {
  const withoutAnnotations = unit.replace(/\{[^{}\s]+\}/g, '');
  if (/\s|[{}]/.test(withoutAnnotations)) {
    problems.add(location, 'unit-format', `unit "${unit}" of ${what} is not a UCUM unit (like "ms", "s" or "{token}")`);
  }
}

/**
 * Units should be UCUM case-sensitive codes, as the semantic conventions ask:
 * `ms`, `s`, `By/s`, `1`, `%`, or annotations in braces such as `{token}`.
 * Checked with the National Library of Medicine's UCUM library, which knows
 * every atom, prefix and operator of the standard; each distinct unit is
 * checked once. Weaver accepts any unit, and so does the generated code, so a
 * unit outside UCUM (`USD`, `microseconds`) is a warning, an error only under
 * `--strict`.
 */
import { createRequire } from 'node:module';
import type { SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';

interface UcumValidation {
  readonly status: 'valid' | 'invalid' | 'error';
  readonly msg?: readonly string[];
}
interface UcumUtils {
  validateUnitString(unit: string, suggest?: boolean): UcumValidation;
}

/**
 * Units the OpenTelemetry semantic conventions use although UCUM does not define them
 * (`hw.fan.speed` is in `rpm`, UCUM's `{rev}/min`): accepted so the official registries load.
 */
const CONVENTION_UNITS = new Set(['rpm']);

let utils: UcumUtils | undefined;
const verdicts = new Map<string, string | undefined>();

/** Loaded on first use: its unit tables take a moment to read, and most runs check few units. */
function ucum(): UcumUtils {
  if (utils === undefined) {
    const ucumPackage = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } };
    utils = ucumPackage.UcumLhcUtils.getInstance();
  }
  return utils;
}

/** Why `unit` is not a UCUM code, or undefined when it is one. */
export function ucumProblem(unit: string): string | undefined {
  if (CONVENTION_UNITS.has(unit)) return undefined;
  if (verdicts.has(unit)) return verdicts.get(unit);
  const result = ucum().validateUnitString(unit, false);
  const verdict = result.status === 'valid' ? undefined : (result.msg ?? []).join(' ').replace(/\s+/g, ' ').trim() || `"${unit}" is not a valid UCUM code`;
  verdicts.set(unit, verdict);
  return verdict;
}

/** Warns, at the `unit:` line, when `unit` is not a UCUM code. */
export function checkUnit(unit: string, what: string, location: SourceLocation, problems: Problems): void {
  const problem = ucumProblem(unit);
  if (problem !== undefined) {
    problems.warn(
      location,
      'unit-format',
      `unit "${unit}" of ${what} is not a UCUM code, which the semantic conventions ask for (like "ms", "s", "By/s", "1", or "{request}" for a count of things): ${problem}`,
    );
  }
}

interface UcumConversion {
  readonly status: 'succeeded' | 'failed' | 'error';
  readonly toVal?: number;
  readonly msg?: readonly string[];
}

/**
 * What a value in `from` is multiplied by to be in `to` (`ms` to `s`: 0.001), 1 for the same unit,
 * or undefined when the two do not measure the same thing. Annotations in braces (`{token}`) are
 * dimensionless for UCUM, so two different ones would convert: they only match themselves here.
 */
export function unitScale(from: string, to: string): number | undefined {
  if (from === to) return 1;
  if (/\{/.test(from) || /\{/.test(to) || ucumProblem(from) !== undefined || ucumProblem(to) !== undefined) return undefined;
  const converter = ucum() as unknown as { convertUnitTo(fromUnit: string, value: number, toUnit: string): UcumConversion };
  const result = converter.convertUnitTo(from, 1, to);
  return result.status === 'succeeded' && typeof result.toVal === 'number' && Number.isFinite(result.toVal) ? result.toVal : undefined;
}

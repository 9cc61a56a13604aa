/**
 * Each setting is declared once, in SETTINGS (src/runtime/settings.ts); the
 * rest derives from it, and the documentation lists every one of them with
 * its variables and default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/weaver.ts';
import { SETTINGS, TELEMETRY_DEFAULTS, TelemetryConfigError, publicSettings, resolveTelemetryConfig, validateTelemetryOptions } from '../../src/runtime/settings.ts';

const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const names = Object.keys(SETTINGS) as Array<keyof typeof SETTINGS>;

describe('the settings table', () => {
  it.each(names)('%s: documented in docs/configuration.md and the README, with its variables', (name) => {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row, `docs/configuration.md has no Options row for ${name}`).toBeDefined();
    for (const variable of SETTINGS[name].env ?? []) expect(row).toContain(variable);
    expect(readme).toContain(`\`${name}\``);
  });

  it('is what validation knows: every option of the table is accepted, anything else is not', () => {
    for (const name of names) expect(() => validateTelemetryOptions({ [name]: undefined })).not.toThrow();
    expect(() => validateTelemetryOptions({ retryQueue: 5 })).toThrow(TelemetryConfigError);
  });

  it('gives every default from the table, and shows exactly the public settings', () => {
    const config = resolveTelemetryConfig({}, {});
    const shown = publicSettings(config);
    const publicNames = names.filter((name) => SETTINGS[name].visibility === 'public');
    expect(Object.keys(shown).sort()).toEqual([...publicNames, 'otlpHeaderNames', 'metricExportTimeoutMillis'].sort());
    for (const name of publicNames) {
      if (name !== 'captureContent') expect((shown as Record<string, unknown>)[name]).toEqual(TELEMETRY_DEFAULTS[name]);
    }
    expect(shown).not.toHaveProperty('otlpHeaders');
    expect(shown).not.toHaveProperty('diagLogger');
  });

  it('reads each variable in the precedence order the table gives', () => {
    for (const name of names) {
      const variables = SETTINGS[name].env ?? [];
      // FLO_* before OTEL_*: the narrower name wins.
      const firstOtel = variables.findIndex((variable) => variable.startsWith('OTEL_'));
      const lastFlo = variables.map((variable) => variable.startsWith('FLO_')).lastIndexOf(true);
      if (firstOtel >= 0 && lastFlo >= 0) expect(lastFlo).toBeLessThan(firstOtel);
    }
    expect(resolveTelemetryConfig({}, { FLO_OTLP_ENDPOINT: 'http://flo:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4317' }).otlpEndpoint).toBe('http://flo:4317');
  });
});

describe('derived from the table, declared nowhere else', () => {
  it('TelemetryOptions: each option is the table’s entry, its documentation included (what an editor shows on it)', () => {
    const file = join(REPO_ROOT, 'src/runtime/settings.ts');
    const program = ts.createProgram([file], { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file)!;
    const alias = source.statements.find((statement): statement is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(statement) && statement.name.text === 'TelemetryOptions');
    expect(alias, 'TelemetryOptions is a type derived from SETTINGS, not an interface of its own').toBeDefined();
    const settings = source.statements.flatMap((statement) => (ts.isVariableStatement(statement) ? [...statement.declarationList.declarations] : [])).find((declaration) => declaration.name.getText(source) === 'SETTINGS')!;
    const options = checker.getTypeAtLocation(alias!.name);
    const documented = checker.getPropertiesOfType(options).map((property) => {
      const declaration = property.getDeclarations()?.[0];
      return {
        name: property.name,
        declaredInTable: declaration !== undefined && declaration.pos >= settings.pos && declaration.end <= settings.end,
        documented: ts.displayPartsToString(property.getDocumentationComment(checker)).length > 20,
      };
    });
    expect(documented).toEqual(names.map((name) => ({ name, declaredInTable: true, documented: true })));
  });

  it('each default lives in the table: the binding code spells none of them', () => {
    const bindingCode = ['src/runtime/bind.ts', 'src/runtime/binding.ts'].map((path) => readFileSync(join(REPO_ROOT, path), 'utf8')).join('\n');
    for (const value of [TELEMETRY_DEFAULTS.conventions, TELEMETRY_DEFAULTS.errorMessages]) expect(bindingCode).not.toContain(`'${value}'`);
  });
});

/**
 * The generator hands ts-morph's JSDoc printer ready-made text (jsDocText)
 * instead of doc structures, which cost it temporary writers per comment and
 * per tag. Whatever the description and tags, both must print the same
 * comment, at the top level and indented inside a declaration.
 */
import fc from 'fast-check';
import { printStructure, StructureKind, VariableDeclarationKind } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { jsDocText, type DocStructure } from '../../scripts/codegen/typescript.ts';

const PRINT_OPTIONS = { indentNumberOfSpaces: 2, useSingleQuote: true } as const;

/** A constant and an interface property, each documented with `docs`. */
function printed(docs: DocStructure | string): string {
  const doc = typeof docs === 'string' ? docs : { description: docs.description, tags: docs.tags?.map((tag) => ({ ...tag })) };
  return printStructure(
    {
      kind: StructureKind.SourceFile,
      statements: [
        { kind: StructureKind.VariableStatement, isExported: true, declarationKind: VariableDeclarationKind.Const, declarations: [{ name: 'X', initializer: '1' }], docs: [doc] },
        { kind: StructureKind.Interface, name: 'I', properties: [{ name: 'p', type: 'string', docs: [doc] }] },
      ],
    },
    PRINT_OPTIONS,
  );
}

const line = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '`', '@', '*', '-', 'é'), maxLength: 12 });
const text = fc.array(line, { maxLength: 4 }).chain((lines) => fc.constantFrom('\n', '\r\n', '\n\n').map((separator) => lines.join(separator)));
const tag = fc.record({ tagName: fc.constantFrom('example', 'deprecated', 'param'), text: fc.oneof(text, fc.constant(''), text.map((value) => `\n${value}`)) });
const doc = fc.record({ description: text, tags: fc.option(fc.array(tag, { maxLength: 3 }), { nil: undefined }) });

describe('jsDocText', () => {
  it('prints, through ts-morph, exactly what the doc structure prints', () => {
    fc.assert(
      fc.property(doc, (structure) => {
        expect(printed(jsDocText(structure))).toBe(printed(structure));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the description, then each tag on its own line', () => {
    expect(jsDocText({ description: 'Brief.\n\nNote.', tags: [{ tagName: 'example', text: '"x"' }, { tagName: 'deprecated', text: '' }] })).toBe('Brief.\n\nNote.\n@example "x"\n@deprecated');
    expect(jsDocText({ description: '', tags: [{ tagName: 'example', text: '1' }] })).toBe('@example 1');
  });
});

/**
 * Just enough JSON Schema to check values against the GenAI message schemas
 * (test/instrumentation/fixtures/genai-schemas): $ref into $defs, type,
 * const, enum, anyOf, oneOf, required, properties, items. Stricter than the
 * standard in one way: in an anyOf or oneOf of parts, a value whose `type`
 * is the `const` of one branch is checked against that branch alone, since
 * the schemas' GenericPart would otherwise accept any part with any fields
 * missing.
 */
type Schema = Record<string, unknown>;

export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, schema, value, '$', errors);
  return errors;
}

function resolve(root: Schema, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : (root.$defs as Record<string, Schema> | undefined)?.[name];
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return resolve(root, target);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function check(root: Schema, raw: Schema, value: unknown, path: string, errors: string[]): void {
  const schema = resolve(root, raw);
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches !== undefined) {
    const resolved = branches.map((branch) => resolve(root, branch));
    const kind = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).type : undefined;
    const exact = resolved.filter((branch) => (branch.properties as Record<string, Schema> | undefined)?.type?.const === kind && kind !== undefined);
    const candidates = exact.length > 0 ? exact : resolved;
    const results = candidates.map((branch) => {
      const branchErrors: string[] = [];
      check(root, branch, value, path, branchErrors);
      return branchErrors;
    });
    if (!results.some((result) => result.length === 0)) errors.push(...(results.length === 1 ? results[0]! : [`${path}: matches no branch (${results.map((result) => result[0]).join(' | ')})`]));
    return;
  }
  if (schema.const !== undefined && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  const type = schema.type;
  if (typeof type === 'string') {
    const actual = typeOf(value);
    const ok = type === actual || (type === 'number' && actual === 'integer');
    if (!ok) {
      errors.push(`${path}: expected ${type}, got ${actual}`);
      return;
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in object)) errors.push(`${path}: missing ${key}`);
    for (const [key, property] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (key in object) check(root, property, object[key], `${path}.${key}`, errors);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((item, index) => check(root, schema.items as Schema, item, `${path}[${index}]`, errors));
}

// Vendors the part of the OpenTelemetry semantic-conventions registry the kit's spec depends on.
//
//   node scripts/vendor-upstream-semconv.ts <semantic-conventions checkout> [options]
//
//   --tag TAG        release tag of the checkout (default: `git describe --tags --exact-match`)
//   --commit SHA     its commit (default: `git rev-parse HEAD` in the checkout)
//   --date YYYY-MM-DD  its commit date (default: `git log -1 --format=%cs`)
//   --folders a,b,c  the model folders the closure starts from (default: DEFAULT_FOLDERS)
//   --spec DIR       the kit's spec folder (default: semconv)
//   --seed DIR       a registry folder to close over instead of the kit's spec: for vendoring the
//                    dependency of another vendored registry (the GenAI development snapshot's)
//   --out DIR        where to write (default: <spec>/.upstream/semconv-<tag>, which also points the
//                    manifest's `otel` dependency at it); with --out the manifest is left alone
//   --dry-run        print the file list, write nothing
//
// The checkout is a clone of github.com/open-telemetry/semantic-conventions at a release tag (or
// an extracted `git archive TAG model LICENSE`, with --tag, --commit and --date given). The script
// takes every file of the start folders, adds the files defining whatever they (and the kit's own
// spec) use by `ref`, `extends`, `ref_group`, `entity_associations` and `imports`, repeats until
// nothing is missing, then replaces the folder of the previous release under `<spec>/.upstream/` with
// `<spec>/.upstream/semconv-<tag>/{model/<same relative paths>, LICENSE, PROVENANCE.md}` and points
// the manifest's `otel` dependency (`schema_url`, `registry_path`) at it (other folders under
// `<spec>/.upstream/` are left as they are). Run from the repository root; afterwards run
// `weaver registry check -r semconv` and the tests.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { registryFiles } from './semconv/load.ts';
import { formatProblem, Problems } from './semconv/problems.ts';
import { parseYamlFile } from './semconv/yaml-reader.ts';

/** Where the kit's spec takes definitions from: GenAI, the error/server attributes it refs, the
 *  resource (service, deployment, and host, os, telemetry, which the Node SDK's resource detectors
 *  report) and exception conventions its runtime follows, and the SDK's own `otel.sdk.*` metrics. */
const DEFAULT_FOLDERS = ['gen-ai', 'error', 'server', 'deployment', 'service', 'exceptions', 'host', 'os', 'telemetry', 'otel'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tag: { type: 'string' },
    commit: { type: 'string' },
    date: { type: 'string' },
    folders: { type: 'string' },
    spec: { type: 'string', default: 'semconv' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
if (positionals.length !== 1) {
  console.error('usage: node scripts/vendor-upstream-semconv.ts <semantic-conventions checkout> [--tag T --commit SHA --date D] [--folders a,b] [--spec semconv] [--seed DIR --out DIR] [--dry-run]');
  process.exit(2);
}
const checkout = resolve(positionals[0]!);
const modelDir = join(checkout, 'model');
if (!existsSync(modelDir)) fail(`${modelDir} does not exist: give the root of a semantic-conventions checkout`);

const git = (...args: string[]): string | undefined => {
  try {
    return execFileSync('git', ['-C', checkout, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};
const tag = values.tag ?? git('describe', '--tags', '--exact-match') ?? fail('no --tag and the checkout is not at a tag');
const commit = values.commit ?? git('rev-parse', 'HEAD') ?? fail('no --commit and the checkout is not a git repository');
const date = values.date ?? git('log', '-1', '--format=%cs') ?? fail('no --date and the checkout is not a git repository');
if (!/^v\d+\.\d+\.\d+$/.test(tag)) fail(`tag "${tag}" is not a release tag vX.Y.Z`);
const version = tag.slice(1);
const folders = (values.folders ?? DEFAULT_FOLDERS.join(',')).split(',').map((f) => f.trim()).filter(Boolean);

// ---- index the upstream model: who defines what, who uses what ----------------------------------
type Uses = { attributes: Set<string>; groups: Set<string>; entities: Set<string>; metrics: Set<string>; spans: Set<string> };
const newUses = (): Uses => ({ attributes: new Set(), groups: new Set(), entities: new Set(), metrics: new Set(), spans: new Set() });
type FileInfo = { path: string; uses: Uses };

const files = new Map<string, FileInfo>(); // relative path → info
const definers = { attributes: new Map<string, string>(), groups: new Map<string, string>(), entities: new Map<string, string>(), metrics: new Map<string, string>(), spans: new Map<string, string>() };

type Node = Record<string, unknown>;
const isMap = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A YAML file's plain value, read as the generator reads it; a YAML problem stops the script, located. */
function readYaml(abs: string): unknown {
  const problems = new Problems();
  const file = parseYamlFile(abs, readFileSync(abs, 'utf8'), problems);
  const problem = problems.list[0];
  if (problem !== undefined) fail(formatProblem(problem));
  return file.root === null ? null : file.toJS(file.root);
}

/** Collects what a parsed file uses (refs, extends, ref_group, entity associations, imports). */
function collectUses(doc: unknown, uses: Uses): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isMap(v)) return;
    if (typeof v.ref === 'string') uses.attributes.add(v.ref);
    if (typeof v.ref_group === 'string') uses.groups.add(v.ref_group);
    if (typeof v.extends === 'string') uses.groups.add(v.extends);
    for (const e of list(v.entity_associations)) if (typeof e === 'string') uses.entities.add(e);
    for (const value of Object.values(v)) walk(value);
  };
  walk(doc);
  if (isMap(doc) && isMap(doc.imports)) {
    for (const m of list(doc.imports.metrics)) if (typeof m === 'string') uses.metrics.add(m);
    for (const s of list(doc.imports.spans)) if (typeof s === 'string') uses.spans.add(s);
    for (const e of list(doc.imports.entities)) if (typeof e === 'string') uses.entities.add(e);
    for (const g of list(doc.imports.attribute_groups)) if (typeof g === 'string') uses.groups.add(g);
  }
}

for (const abs of registryFiles(modelDir)) {
  const path = relative(modelDir, abs).split(sep).join('/');
  const doc = readYaml(abs);
  const uses = newUses();
  collectUses(doc, uses);
  files.set(path, { path, uses });
  if (!isMap(doc)) continue;
  const define = (kind: keyof typeof definers, key: unknown) => {
    if (typeof key === 'string' && !definers[kind].has(key)) definers[kind].set(key, path);
  };
  // definition/1: groups with attributes; definition/2: top-level attributes and signal lists.
  for (const g of list(doc.groups)) {
    if (!isMap(g)) continue;
    define('groups', g.id);
    if (g.type === 'entity') define('entities', g.name);
    if (g.type === 'metric') define('metrics', g.metric_name);
    if (g.type === 'span') define('spans', g.id);
    for (const a of list(g.attributes)) if (isMap(a) && a.ref === undefined) define('attributes', a.id);
  }
  for (const a of list(doc.attributes)) if (isMap(a)) define('attributes', a.key);
  for (const g of list(doc.attribute_groups)) if (isMap(g)) define('groups', g.id);
  for (const m of list(doc.metrics)) if (isMap(m)) define('metrics', m.name);
  for (const s of list(doc.spans)) if (isMap(s)) define('spans', s.type);
  for (const e of list(doc.entities)) if (isMap(e)) define('entities', e.type);
}

// ---- closure -------------------------------------------------------------------------------------
const selected = new Set<string>();
const queue: string[] = [];
const add = (path: string) => {
  if (!selected.has(path)) {
    selected.add(path);
    queue.push(path);
  }
};
for (const folder of folders) {
  const inFolder = [...files.keys()].filter((p) => p.startsWith(`${folder}/`));
  if (inFolder.length === 0) fail(`start folder "${folder}" has no YAML file in ${modelDir}`);
  inFolder.forEach(add);
}

const missing: string[] = [];
const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
function need(uses: Uses, from: string): void {
  for (const kind of ['attributes', 'groups', 'entities', 'metrics', 'spans'] as const) {
    for (const name of uses[kind]) {
      if (name.includes('*')) {
        const re = wildcard(name);
        for (const [key, path] of definers[kind]) if (re.test(key)) add(path);
        continue;
      }
      const path = definers[kind].get(name);
      if (path) add(path);
      else if (!from.startsWith('upstream:')) missing.push(`${from} uses ${kind.replace(/s$/, '')} "${name}", which ${tag} does not define`);
    }
  }
}

// The kit's own spec (or the registry given with --seed) is a seed too, so a ref to a folder outside
// the start list is vendored as well, and a ref the new tag no longer defines is reported before
// anything is written. What the seed defines itself is not needed from upstream.
const specDir = resolve(values.spec);
const seedDir = resolve(values.seed ?? values.spec);
// registryFiles skips hidden folders: the vendored copy under semconv/.upstream is not the kit's own spec.
const seedFiles = existsSync(seedDir) ? registryFiles(seedDir) : [];
const seedDocs = seedFiles.map((abs) => ({ abs, doc: readYaml(abs) }));
const ownAttributes = new Set<string>();
const ownGroups = new Set<string>();
const ownEntities = new Set<string>();
const ownSignals = new Set<string>();
for (const { doc } of seedDocs) {
  if (!isMap(doc)) continue;
  for (const g of list(doc.groups)) {
    if (!isMap(g)) continue;
    if (typeof g.id === 'string') ownGroups.add(g.id);
    for (const a of list(g.attributes)) if (isMap(a) && typeof a.id === 'string' && a.ref === undefined) ownAttributes.add(a.id);
  }
  // definition/2
  for (const a of list(doc.attributes)) if (isMap(a) && typeof a.key === 'string') ownAttributes.add(a.key);
  for (const g of list(doc.attribute_groups)) if (isMap(g) && typeof g.id === 'string') ownGroups.add(g.id);
  for (const e of list(doc.entities)) if (isMap(e) && typeof e.type === 'string') ownEntities.add(e.type);
  // A v2 refinement refs the signal it refines (`ref: gen_ai.client.inference`), a v2 group the span's group id.
  for (const m of list(doc.metrics)) if (isMap(m) && typeof m.name === 'string') ownSignals.add(m.name);
  for (const sp of list(doc.spans)) {
    if (isMap(sp) && typeof sp.type === 'string') {
      ownSignals.add(sp.type);
      ownGroups.add(`span.${sp.type}`);
    }
  }
}
for (const { abs, doc } of seedDocs) {
  const uses = newUses();
  collectUses(doc, uses);
  ownAttributes.forEach((a) => uses.attributes.delete(a));
  ownGroups.forEach((g) => uses.groups.delete(g));
  ownEntities.forEach((e) => uses.entities.delete(e));
  ownSignals.forEach((signal) => uses.attributes.delete(signal));
  need(uses, relative(process.cwd(), abs));
}
while (queue.length > 0) {
  const path = queue.shift()!;
  need(files.get(path)!.uses, `upstream:${path}`);
}
if (missing.length > 0) fail(missing.join('\n'));

const list_ = [...selected].sort();
const bytes = list_.reduce((n, p) => n + statSync(join(modelDir, p)).size, 0);
console.log(`${tag} (${commit.slice(0, 12)}, ${date}): ${list_.length} files, ${Math.round(bytes / 1024)} KB`);
for (const p of list_) console.log(`  ${p}`);
if (values['dry-run']) process.exit(0);

// ---- write ---------------------------------------------------------------------------------------
const manifestPath = join(specDir, 'manifest.yaml');
const forKit = values.out === undefined;
const target = forKit ? join(specDir, '.upstream', `semconv-${tag}`) : resolve(values.out!);
// The kit's dependency replaces the folder the manifest pointed at; other vendored registries stay.
const previous = forKit && existsSync(manifestPath) ? /registry_path:\s*\.upstream\/(semconv-v\d+\.\d+\.\d+)\/model/.exec(readFileSync(manifestPath, 'utf8'))?.[1] : undefined;
if (previous !== undefined) rmSync(join(specDir, '.upstream', previous), { recursive: true, force: true });
rmSync(target, { recursive: true, force: true });
for (const p of list_) {
  mkdirSync(join(target, 'model', p, '..'), { recursive: true });
  cpSync(join(modelDir, p), join(target, 'model', p));
}
cpSync(join(checkout, 'LICENSE'), join(target, 'LICENSE'));
writeFileSync(join(target, 'PROVENANCE.md'), provenance());

if (forKit && existsSync(manifestPath)) {
  const before = readFileSync(manifestPath, 'utf8');
  const after = before
    .replace(/(schema_url:\s*)https:\/\/opentelemetry\.io\/schemas\/\d+\.\d+\.\d+/, `$1https://opentelemetry.io/schemas/${version}`)
    .replace(/(registry_path:\s*)\.upstream\/semconv-v\d+\.\d+\.\d+\/model/, `$1.upstream/semconv-${tag}/model`);
  if (after !== before) writeFileSync(manifestPath, after);
  console.log(`${relative(process.cwd(), manifestPath)}: otel dependency → ${tag}`);
}
console.log(`wrote ${relative(process.cwd(), target)}; now run: weaver registry check -r ${values.spec}`);

function provenance(): string {
  if (!forKit) return seedProvenance();
  return `# Vendored OpenTelemetry semantic conventions ${tag}

These files are an unmodified subset of the OpenTelemetry semantic-conventions registry, the
dependency the kit's spec declares in \`semconv/manifest.yaml\` (\`otel\`,
\`https://opentelemetry.io/schemas/${version}\`).

| | |
| --- | --- |
| source | https://github.com/open-telemetry/semantic-conventions |
| tag | \`${tag}\` |
| commit | \`${commit}\` |
| commit date | ${date} |
| license | Apache-2.0, [LICENSE](LICENSE) (copied from the same commit) |
| files | ${list_.length}, ${Math.round(bytes / 1024)} KB, under \`model/\` at the same relative paths as upstream |

## Why only these files

The kit's spec takes \`gen_ai.*\`, \`error.*\` and \`server.*\` from this registry by \`ref\` and
imports GenAI metrics and spans from it; it never copies a definition. The machines that build the
kit reach no network beyond package registries, so the part of the registry the spec needs lives
in the repository. That part is the closure of these start folders: ${folders.map((f) => `\`${f}/\``).join(', ')}
(GenAI, the error and server attributes it refs, and the resource and exception conventions the
runtime follows), plus every file defining something they or the kit's spec use by \`ref\`,
\`extends\`, \`ref_group\`, \`entity_associations\` or \`imports\`, repeated until nothing is missing.
Weaver resolves every file of a dependency folder, so the closure is what makes it resolve without
the rest of the registry.
To check that nothing here was edited: \`diff -r model <checkout>/model\` lists only the files
left out.

${list_.map((p) => `- \`model/${p}\``).join('\n')}

## How Weaver and the kit find it

\`semconv/manifest.yaml\` names \`registry_path: .upstream/semconv-${tag}/model\`. Weaver resolves a
relative \`registry_path\` against its working directory, the kit's generator against the
manifest's folder. A committed symlink at the repository root, \`.upstream -> semconv/.upstream\`,
makes both land here when run from the repository root. Weaver skips hidden folders when it
walks \`-r semconv\`, so these files are loaded only as the dependency, never as part of the kit's
own registry.

## How to bump

Nothing here is edited by hand. To move to another release:

\`\`\`
git clone --depth 1 --branch vX.Y.Z https://github.com/open-telemetry/semantic-conventions /tmp/semconv
node scripts/vendor-upstream-semconv.ts /tmp/semconv
/path/to/weaver registry check -r semconv
\`\`\`

The script recomputes the closure, replaces this folder (this file included) and points
the manifest's dependency at the new tag. Then regenerate (\`npm run generate\`), review
\`node scripts/generate.ts --diff git:HEAD\` and the tests: upstream renames and deprecations show
up there. A checkout without git history (\`git archive\`) needs \`--tag\`, \`--commit\` and \`--date\`.
`;
}

/** PROVENANCE.md of a registry vendored as the dependency of another vendored registry (--seed). */
function seedProvenance(): string {
  const seed = relative(process.cwd(), seedDir);
  const out = relative(process.cwd(), target);
  return `# Vendored OpenTelemetry semantic conventions ${tag}, as the dependency of \`${seed}\`

These files are an unmodified subset of the OpenTelemetry semantic-conventions registry: what the
registry in \`${seed}\` needs of its dependency (\`https://opentelemetry.io/schemas/${version}\`).

| | |
| --- | --- |
| source | https://github.com/open-telemetry/semantic-conventions |
| tag | \`${tag}\` |
| commit | \`${commit}\` |
| commit date | ${date} |
| license | Apache-2.0, [LICENSE](LICENSE) (copied from the same commit) |
| files | ${list_.length}, ${Math.round(bytes / 1024)} KB, under \`model/\` at the same relative paths as upstream |

## Why only these files

The closure of these start folders: ${folders.map((f) => `\`${f}/\``).join(', ')} (the error and server
attributes the GenAI registry refs, the resource attributes the Node SDK reports, the exception
conventions and the SDK's own \`otel.sdk.*\` metrics, so Weaver's live-check with
\`--include-unreferenced\` knows every name the kit's telemetry carries), plus every file defining
something they or \`${seed}\` use by \`ref\`, \`extends\`, \`ref_group\`, \`entity_associations\` or
\`imports\`, repeated until nothing is missing. What \`${seed}\` defines itself is not taken from here:
in particular none of this release's deprecated \`gen_ai.*\` and \`openai.*\` stubs, which would
define those attributes a second time.
To check that nothing here was edited: \`diff -r model <checkout>/model\` lists only the files
left out.

${list_.map((p) => `- \`model/${p}\``).join('\n')}

## How to bump

\`\`\`
node scripts/vendor-upstream-semconv.ts <semantic-conventions checkout at the tag> --seed ${seed} --out ${out} --folders ${folders.join(',')}
\`\`\`
`;
}

function fail(message: string): never {
  console.error(`vendor-upstream-semconv: ${message}`);
  process.exit(1);
}

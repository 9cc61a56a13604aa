// Vendors the GenAI development registry the kit's opt-in conventions follow
// (`OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`), with the part of its
// semantic-conventions dependency it needs.
//
//   node scripts/vendor-genai-snapshot.ts <genai model folder> <semantic-conventions checkout> [options]
//
//   --tag, --commit, --date   the semantic-conventions release the GenAI registry depends on
//                             (passed on to vendor-upstream-semconv.ts, which needs them for a
//                             checkout without git history)
//   --spec DIR                the kit's spec folder (default: semconv)
//
// The GenAI registry (open-telemetry/semantic-conventions-genai, `model/`) is copied as it is into
// `<spec>/.upstream/semconv-genai-dev/model/`, except for one line: its manifest's `registry_path`
// is pointed at `.upstream/semconv-<tag>/model`, and a hidden symlink `model/.upstream -> ../..`
// makes that path land on `<spec>/.upstream/` both from the repository root (Weaver, through the
// root `.upstream` symlink) and from the manifest's folder (the kit's generator). Then
// vendor-upstream-semconv.ts vendors the dependency's closure into `<spec>/.upstream/semconv-<tag>/`.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The start folders of the dependency's closure: what the GenAI registry refs, and what the kit's runtime emits besides it. */
const DEPENDENCY_FOLDERS = ['error', 'server', 'deployment', 'service', 'exceptions', 'host', 'os', 'telemetry', 'otel'];
const FOLDER = 'semconv-genai-dev';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tag: { type: 'string' },
    commit: { type: 'string' },
    date: { type: 'string' },
    spec: { type: 'string', default: 'semconv' },
  },
});
if (positionals.length !== 2) {
  console.error('usage: node scripts/vendor-genai-snapshot.ts <genai model folder> <semantic-conventions checkout> [--tag T --commit SHA --date D] [--spec semconv]');
  process.exit(2);
}
const source = resolve(positionals[0]!);
const checkout = resolve(positionals[1]!);
const manifestPath = join(source, 'manifest.yaml');
if (!existsSync(manifestPath)) fail(`${manifestPath} does not exist: give the model/ folder of the GenAI registry`);
const manifest = readFileSync(manifestPath, 'utf8');
const dependency = /^([ \t]*registry_path:[ \t]*)(\S+)[ \t]*$/m.exec(manifest);
const dependencyUrl = /^[ \t]*-[ \t]*schema_url:[ \t]*https:\/\/opentelemetry\.io\/schemas\/(\d+\.\d+\.\d+)[ \t]*$/m.exec(manifest);
if (dependency === null || dependencyUrl === null) fail(`${manifestPath} names no semantic-conventions dependency (schema_url …/schemas/X.Y.Z and registry_path)`);
const tag = values.tag ?? `v${dependencyUrl[1]}`;

const specDir = resolve(values.spec);
const target = join(specDir, '.upstream', FOLDER);
rmSync(target, { recursive: true, force: true });
cpSync(source, join(target, 'model'), { recursive: true });
// Copies keep the source's modes; a read-only reference copy must not make the vendored files read-only.
for (const path of ['', ...(readdirSync(join(target, 'model'), { recursive: true }) as string[])]) chmodSync(join(target, 'model', path), path === '' || !path.includes('.') ? 0o755 : 0o644);
const vendoredManifest = join(target, 'model', 'manifest.yaml');
writeFileSync(vendoredManifest, manifest.replace(dependency[0], `${dependency[1]}.upstream/semconv-${tag}/model`));
const files = (readdirSync(join(target, 'model'), { recursive: true }) as string[]).filter((path) => path.endsWith('.yaml') || path.endsWith('.md')).sort();
symlinkSync('../..', join(target, 'model', '.upstream'));
writeFileSync(join(target, 'PROVENANCE.md'), provenance(dependency[2]!, files));
cpSync(join(checkout, 'LICENSE'), join(target, 'LICENSE'));

execFileSync(
  process.execPath,
  [
    join(import.meta.dirname, 'vendor-upstream-semconv.ts'),
    checkout,
    '--seed',
    join(target, 'model'),
    '--out',
    join(specDir, '.upstream', `semconv-${tag}`),
    '--folders',
    DEPENDENCY_FOLDERS.join(','),
    '--spec',
    values.spec!,
    '--tag',
    tag,
    ...(values.commit ? ['--commit', values.commit] : []),
    ...(values.date ? ['--date', values.date] : []),
  ],
  { stdio: 'inherit' },
);
console.log(`wrote ${relative(process.cwd(), target)}`);

function provenance(originalPath: string, list: readonly string[]): string {
  return `# Vendored OpenTelemetry GenAI semantic conventions, development snapshot

The registry the kit's opt-in GenAI conventions follow
(\`OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental\`, or the \`semconvStabilityOptIn\`
option; \`semconv/manifest.yaml\`, \`annotations.flo.gen_ai.opt_in\`). It is not a dependency of the
kit's registry: Weaver cannot load it beside semantic conventions v1.41.1, which defines the same
\`gen_ai.*\` names, so the kit's generator reads it on its own to generate the opt-in tables.

| | |
| --- | --- |
| source | open-telemetry/semantic-conventions-genai, \`model/\`: a development snapshot reconstructed file by file from stored versions of that repository; [model/SOURCES.md](model/SOURCES.md) gives the commit of every file, and which file is a substitute |
| schema URL | \`https://opentelemetry.io/schemas/gen-ai-dev/1.42.0-dev\` (its manifest was reconstructed too) |
| depends on | semantic conventions ${tag}, vendored beside it in [\`../semconv-${tag}/\`](../semconv-${tag}/PROVENANCE.md) (only the files this registry and the kit's runtime need) |
| license | Apache-2.0, like every OpenTelemetry semantic-convention registry; [LICENSE](LICENSE) is the Apache-2.0 text as semantic-conventions ${tag} ships it |

## Files

Copied unmodified, except \`model/manifest.yaml\`, whose dependency \`registry_path\` was
\`${originalPath}\` (the local layout of the reconstruction) and is
\`.upstream/semconv-${tag}/model\` here:

${list.map((path) => `- \`model/${path}\``).join('\n')}

and the symlink \`model/.upstream -> ../..\`, hidden, so neither Weaver nor the kit's generator reads
it as part of this registry.

## How Weaver and the kit find the dependency

Weaver resolves a relative \`registry_path\` against its working directory, the kit's generator
against the manifest's folder. From the repository root, \`.upstream/semconv-${tag}/model\` goes
through the root symlink \`.upstream -> semconv/.upstream\`; from this manifest's folder, through
\`model/.upstream -> ../..\`: both land on \`semconv/.upstream/semconv-${tag}/model\`. Check it with
\`weaver registry check -r semconv/.upstream/${FOLDER}/model\` from the repository root (Weaver 0.25.1
warns that \`definition/2\` is not yet stable, once per file of that format).

## How to bump

\`\`\`
node scripts/vendor-genai-snapshot.ts <semantic-conventions-genai checkout>/model <semantic-conventions checkout at the tag it depends on>
npm run generate
\`\`\`
`;
}

function fail(message: string): never {
  console.error(`vendor-genai-snapshot: ${message}`);
  process.exit(1);
}

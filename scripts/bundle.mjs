// Bundles the CLI into dist/cli/ after tsc: the published bin (dist/cli/bin.js) becomes one ES
// module that loads nothing from node_modules, plus lazily imported chunks beside it (each
// `await import()` of the sources is a split point, so `--help`, `demo` and an offline replay
// never parse the AWS SDK), plus the hashing thread's own entry (hash-pool.ts starts
// `./hash-worker.js` next to itself, found by URL). Resolving and compiling small files was most of
// a command's start-up (hundreds of them for a live command); a few chunks are parsed instead.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * A few sources load packages on first use through `createRequire(import.meta.url)`, because a
 * synchronous lazy load needs `require`. Unbundled that reads node_modules; in the bundle each
 * such literal call becomes the bundler's own lazy `require` of a module that re-exports only the
 * names the call site uses (the client class, the two role assumers...), so the bundled SDK is
 * tree-shaken to them, there is one SDK in the process, and it is evaluated only when first used.
 * Call sites name what they take in one of three shapes; any other shape fails the build.
 */
const picked = (text, name, spec, at) => {
  const after = text.slice(at);
  const q = spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m =
    new RegExp(`^${name}\\('${q}'\\), '(\\w+)'`).exec(after) ?? // lazy(() => load('pkg'), 'Export')
    new RegExp(`^\\(${name}\\('${q}'\\) as \\{ (\\w+):`).exec(text.slice(at - 1)); // (load('pkg') as { x: T }).x
  if (m) return [m[1]];
  const d = new RegExp(`const \\{([^}]+)\\} = ${name}\\('${q}'\\)`).exec(text); // const { a, b } = load('pkg')
  return d ? d[1].split(',').map((x) => x.trim()).filter(Boolean) : undefined;
};

/**
 * The module that defines `name`, following the package's re-exports from its entry. A module
 * required whole is bundled whole (the bundler's lazy wrapper keeps every re-export): EC2's 824
 * commands for its client class, 60 modules of @aws-sdk/core for `partition`.
 */
async function definingModule(b, spec, name, resolveDir) {
  const entry = await b.resolve(spec, { kind: 'import-statement', resolveDir });
  if (entry.errors.length || !entry.path) return spec;
  let file = entry.path;
  for (let hops = 0; hops < 8; hops++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    let next;
    for (const m of text.matchAll(/export \{([^}]*)\} from ["']([^"']+)["']/g)) {
      if (m[1].split(',').some((x) => x.trim() === name)) next = m[2];
    }
    // SDK clients: `export * from "./S3Client"`, the class in a module named after it
    if (!next && new RegExp(`export \\* from ["']\\./${name}(\\.js)?["']`).test(text)) next = `./${name}`;
    if (!next) return file;
    const r = await b.resolve(next, { kind: 'import-statement', resolveDir: dirname(file) });
    if (r.errors.length || !r.path) return file;
    file = r.path;
  }
  return file;
}

const bundledRequire = {
  name: 'bundled-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const m = /^const (\w+) = createRequire\(import\.meta\.url\);$/m.exec(text);
      if (!m) return undefined;
      const name = m[1];
      const errors = [];
      const body = text.replace(m[0], '');
      const contents = body.replace(new RegExp(`\\b${name}\\(('([^']+)'|[^)]*)\\)`, 'g'), (call, arg, spec, at) => {
        const names = spec && picked(body, name, spec, at);
        if (!names) {
          errors.push({ text: `${args.path}: cannot bundle ${call}: use a string literal and name the exports taken (see scripts/bundle.mjs)` });
          return call;
        }
        return `require(${JSON.stringify(`pick:${spec}?${names.join(',')}`)})`;
      });
      return errors.length ? { errors } : { contents, loader: 'ts' };
    });
    b.onResolve({ filter: /^pick:/ }, (args) => ({ path: args.path, namespace: 'pick', pluginData: { resolveDir: args.resolveDir } }));
    b.onLoad({ filter: /.*/, namespace: 'pick' }, async (args) => {
      const [spec, names] = args.path.slice('pick:'.length).split('?');
      const { resolveDir } = args.pluginData;
      const lines = [];
      for (const n of names.split(',')) lines.push(`export { ${n} } from ${JSON.stringify(await definingModule(b, spec, n, resolveDir))};`);
      return { contents: lines.join('\n'), loader: 'js', resolveDir };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { bin: 'src/cli/bin.ts', 'hash-worker': 'src/integrity/hash-worker.ts' },
  outdir: 'dist/cli',
  entryNames: '[name]',
  // beside the entry: hash-pool.ts finds its worker relative to the chunk it is bundled into
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // the SDK's ES builds: tree-shaken to the commands trail-doctor sends
  mainFields: ['module', 'main'],
  // bundled CommonJS packages call require() for Node's built-ins
  banner: { js: "import { createRequire as __tdCreateRequire } from 'node:module'; const require = __tdCreateRequire(import.meta.url);" },
  plugins: [bundledRequire],
  // licence comments of bundled packages stay with the code they cover
  legalComments: 'eof',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});
if (result.errors.length || result.warnings.length) {
  console.error('bundle: warnings are errors here (a require the bundler cannot follow would read node_modules at run time)');
  process.exit(1);
}
// BUNDLE_META=<file>: the bundler's metafile (which module went into which chunk), for inspection
if (process.env.BUNDLE_META) (await import('node:fs')).writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile));

/**
 * The layering of src/ (`npm run lint:deps`): which room may load which. From the bottom up:
 * errors.ts; qr/ (generation, browser-safe; qr/spec/ wraps node-qrcode's internals); recognise/
 * (reading pictures), idphoto/ (ID photos) and batch/ (rows and archives) beside it; platform/; workers/;
 * app/; jobs/; http/ and cli/; server.ts and index.ts at the top.
 * Type-only imports count too (tsPreCompilationDeps): a type import still ties a room to another's code.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle makes load order matter and stops either module being understood, tested or moved alone.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'errors-is-a-leaf',
      comment: 'Every room imports src/errors.ts, so it must import nothing from src or it would close a cycle or drag a room in.',
      severity: 'error',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'qr-imports-only-qr-and-errors',
      comment: 'The generator is a self-contained library (it also runs in the browser page), so it may lean on nothing in src but itself and errors.ts.',
      severity: 'error',
      from: { path: '^src/qr/' },
      to: { path: '^src/', pathNot: '^src/(errors\\.ts$|qr/)' },
    },
    {
      name: 'qr-no-node-builtins',
      comment: 'The generator must run in browsers, where Node built-ins (fs, zlib, crypto, ...) do not exist.',
      severity: 'error',
      from: { path: '^src/qr/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'node-qrcode-internals-only-in-qr-spec',
      comment: "node-qrcode's lib/ files are not a public API, so one room (src/qr/spec) wraps them and an upgrade that moves them breaks only there.",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/qr/spec/' },
      to: { path: '(^|/)node_modules/qrcode/lib/' },
    },
    {
      name: 'recognise-below-the-service',
      comment: 'Recognition is a library the service, the CLI and the package all use, so it must not reach up into platform, workers, app, http, cli or the entry points.',
      severity: 'error',
      from: { path: '^src/recognise/' },
      to: { path: '^src/((platform|workers|app|http|cli)/|server\\.ts$|index\\.ts$)' },
    },
    {
      name: 'recognise-uses-only-qr-spec',
      comment: 'Recognition shares the QR standard (tables, Galois field, masks) with generation through src/qr/spec only, not the generator itself.',
      severity: 'error',
      from: { path: '^src/recognise/' },
      to: { path: '^src/qr/', pathNot: '^src/qr/spec/' },
    },
    {
      name: 'idphoto-below-the-service',
      comment: 'The ID-photo tool is a library like recognition: it stands on errors.ts alone, so the service, the CLI and jobs can all use it.',
      severity: 'error',
      from: { path: '^src/idphoto/' },
      to: { path: '^src/', pathNot: '^src/(errors\\.ts$|idphoto/)' },
    },
    {
      name: 'onnxruntime-only-in-idphoto',
      comment: 'onnxruntime-node (a large native runtime) serves the ID-photo models only, so nothing else may load it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/idphoto/' },
      to: { path: '(^|/)node_modules/onnxruntime-[^/]+/' },
    },
    {
      name: 'tensorflow-only-in-idphoto',
      comment: 'TensorFlow.js (WebAssembly) runs the ID-photo models only, so nothing else may load it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/idphoto/' },
      to: { path: '(^|/)node_modules/@tensorflow/' },
    },
    {
      name: 'sharp-only-in-image-codecs',
      comment:
        'sharp (libvips, native, ~0.2 s to load) is loaded lazily in the two rooms that read and write image files, src/recognise/input (uploads to recognise) and src/idphoto/codec (portraits in, photos out), so nothing else pays for it or depends on it being installed.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(recognise/input|idphoto/codec)/' },
      to: { path: '(^|/)node_modules/sharp/' },
    },
    {
      name: 'batch-formats-stand-alone',
      comment:
        'src/batch reads and writes the batch formats (rows as CSV, NDJSON or JSON; ZIP archives in and out) and nothing else, so the use cases, jobs and the CLI share one safe implementation of each.',
      severity: 'error',
      from: { path: '^src/batch/' },
      to: { path: '^src/', pathNot: '^src/(errors\\.ts$|batch/)' },
    },
    {
      name: 'jobs-below-transports',
      comment: "Jobs run the app layer's use cases for the HTTP API and `qrw worker` alike, so they must not import HTTP, the CLI or the server.",
      severity: 'error',
      from: { path: '^src/jobs/' },
      to: { path: '^src/((http|cli)/|server\\.ts$|worker\\.ts$|index\\.ts$)' },
    },
    {
      name: 'accounts-below-transports',
      comment: 'Keys, quotas and usage serve the HTTP API and the CLI alike (`qrw keys`), so they must not import HTTP, the CLI or the entry points.',
      severity: 'error',
      from: { path: '^src/accounts/' },
      to: { path: '^src/((http|cli)/|server\\.ts$|worker\\.ts$|index\\.ts$)' },
    },
    {
      name: 'lower-layers-not-accounts',
      comment: 'Accounts sit beside jobs, above the use cases they count, so nothing below may import them; the composition root wires the counting in.',
      severity: 'error',
      from: { path: '^src/(app|workers|platform|batch|jobs|qr|recognise|idphoto)/' },
      to: { path: '^src/accounts/' },
    },
    {
      name: 'app-not-jobs',
      comment: 'Jobs sit above the use cases (they run them), so a use case importing a job would close a loop between the layers.',
      severity: 'error',
      from: { path: '^src/(app|workers|platform|batch)/' },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'bullmq-only-in-jobs',
      comment: 'BullMQ is the job queue behind src/jobs; nothing else should know which queue runs the jobs.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/jobs/' },
      to: { path: '(^|/)node_modules/bullmq/' },
    },
    {
      name: 'platform-below-workers-app-http',
      comment: 'Platform (config, metrics, redis, deflate) serves every layer above it, so it must not import any of them.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/((workers|app|http|cli)/|server\\.ts$|index\\.ts$)' },
    },
    {
      name: 'workers-below-app-http',
      comment: 'The worker pool runs capabilities for the app layer and must not know about the app, HTTP, the CLI or the server that use it.',
      severity: 'error',
      from: { path: '^src/workers/' },
      to: { path: '^src/((app|http|cli)/|server\\.ts$)' },
    },
    {
      name: 'app-below-transports',
      comment: 'The app layer (use cases) is shared by the HTTP API and the CLI, so it must not import either of them or the server (fastify is covered by fastify-only-in-http).',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: '^src/((http|cli)/|server\\.ts$)' },
    },
    {
      name: 'http-not-cli-or-server',
      comment: 'The HTTP layer builds the Fastify app that server.ts starts and cli/ may launch, so it must not import either of them back.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(cli/|server\\.ts$|worker\\.ts$)' },
    },
    {
      name: 'index-exports-only-the-libraries',
      comment: 'The package entry (src/index.ts) is the library API, so it must not load the service (platform, workers, app, http, cli, server) into a library user.',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(errors\\.ts$|qr/|recognise/|platform/deflate\\.ts$)' },
    },
    {
      name: 'src-not-test-or-bench',
      comment: 'The production build compiles src only, so an import of test/ or bench/ code would break the build or ship it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'fastify-only-in-http',
      comment: 'Fastify is the HTTP transport, so only src/http (and server.ts, which starts it) may depend on it; the rest stays usable from the CLI and the library.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(http/|server\\.ts$)' },
      to: { path: '(^|/)node_modules/(fastify|@fastify/[^/]+)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too; the rules above apply to them.
    tsPreCompilationDeps: true,
    // NodeNext: `./x.js` specifiers resolve to the `./x.ts` sources.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

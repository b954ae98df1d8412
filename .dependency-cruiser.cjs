// The layering of DESIGN.md, checked on every `npm run lint`: routes -> service -> repository ->
// database; a module is entered through its index.ts; platform and db code never import modules.
const serviceSections = require('./service-sections.cjs');

/** The files a service is split into (service-sections.cjs): they are the service. */
const serviceSectionPaths = Object.entries(serviceSections).map(
  ([m, sections]) => `^src/modules/${m}/${m}\\.(${sections.join('|')})\\.ts$`,
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-through-index',
      comment: 'Another module is entered through its index.ts only.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'outside-through-index',
      comment:
        'Code outside the modules (app, CLI, seed, test helpers) enters a module through its index.ts. ' +
        'Benchmarks may measure a module from inside; the Database type gathers the table types.',
      severity: 'error',
      from: {
        path: '^(src|test|e2e)/',
        pathNot: ['^src/modules/', '\\.test\\.ts$', '^src/db/database\\.ts$'],
      },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/[^/]+/index\\.ts$', '^src/modules/[^/]+/engine/index\\.ts$'],
      },
    },
    {
      name: 'platform-never-imports-modules',
      comment:
        'Platform and db code never import modules (the Database type that gathers the tables is the one exception).',
      severity: 'error',
      from: { path: '^src/(platform|db)/', pathNot: '^src/db/database\\.ts$' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'migrations-import-no-app-code',
      comment: 'Migrations are frozen in time: they never import application code.',
      severity: 'error',
      from: { path: '^src/db/migrations/' },
      to: { path: '^src/', pathNot: ['^src/db/migrations/', '^src/paths\\.ts$'] },
    },
    {
      name: 'routes-do-not-touch-the-database',
      comment: 'HTML and JSON routes call services; they do not import Kysely, the database or a repository.',
      severity: 'error',
      from: { path: '\\.(pages|api)\\.ts$' },
      to: {
        path: ['^src/db/', 'node_modules/kysely/', '\\.repository\\.ts$', '-queries\\.ts$'],
      },
    },
    {
      name: 'services-do-not-build-sql',
      comment:
        'Services hold the rules and open transactions; the SQL lives in repositories (kysely types are fine).',
      severity: 'error',
      from: { path: ['\\.service\\.ts$', ...serviceSectionPaths] },
      to: { path: 'node_modules/kysely/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'engines-are-pure',
      comment: 'The set-formation and matching engines are plain functions with no I/O.',
      severity: 'error',
      from: {
        path: '^src/modules/[^/]+/engine/',
        pathNot: ['\\.test\\.ts$', '/cli\\.ts$', '/test-support/'],
      },
      to: { path: ['^src/db/', '^src/platform/', 'node_modules/(kysely|pg|@electric-sql|fastify)'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^data/', '^coverage/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};

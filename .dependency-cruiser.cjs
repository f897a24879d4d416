// Tollgate's rooms and their doors (issue 10 item 2), checked in CI by `npm run lint:deps`.
// Type-only imports count like value imports (tsPreCompilationDeps): a folder that needs another's types
// depends on it as surely as one that calls it, and a type cycle is still a knot a reader has to untie.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core is pure rules (key format, decisions, errors, ids): it imports nothing of ours outside itself.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'storage-only-core',
      comment: 'src/storage (schema, migrations, repositories) imports only src/core: no service, route or config reaches it.',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/', pathNot: '^src/(storage|core)/' },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'No cycle between folders of src/ (value or type imports): folder A depends on folder B when any ' +
        'module of A imports one of B, so a1 → b1 and b2 → a2 is a cycle even when no module cycle exists.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'No cycle between modules either (top-level files such as services.ts, app.ts, config.ts included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'route-folders-apart',
      comment: 'Route folders (control, admin, operator) hold routes only and never import each other: what two share lives in http/ or a domain folder.',
      severity: 'error',
      from: { path: '^src/(control|admin|operator)/' },
      to: { path: '^src/(control|admin|operator)/', pathNot: '^src/$1/' },
    },
    {
      name: 'routes-are-leaves',
      comment: 'Only the app (src/app.ts) mounts the route folders; no domain module reaches up into a route file.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(control|admin|operator)/', '^src/app[.]ts$'] },
      to: { path: '^src/(control|admin|operator)/' },
    },
    {
      name: 'composition-root-from-edges',
      comment:
        'services.ts (the composition root), app.ts and main.ts are imported only by the edges: the CLI, data-plane.ts, the ' +
        'route folders (their route-deps type) and each other. Domain folders take narrow dependencies instead, ' +
        'which is what keeps the folder graph free of cycles through the root (src/ files are not a folder to depcruise).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(cli|control|admin|operator)/', '^src/(app|main|services|data-plane)[.]ts$'] },
      to: { path: '^src/(app|main|services)[.]ts$' },
    },
    {
      name: 'config-is-a-leaf',
      comment: 'config.ts, config-file.ts and logger.ts are read by everyone, so they import only pure code (core/, the unpriced-policy parser).',
      severity: 'error',
      from: { path: '^src/(config|config-file|logger)[.]ts$' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/(config|config-file|logger)[.]ts$', '^src/credits/unpriced-policy[.]ts$'] },
    },
    {
      name: 'gateway-only-from-root',
      comment: 'The data plane (src/gateway) is mounted by the app and built by the composition root; no other room reaches into it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/gateway/', '^src/(app|services|main|data-plane)[.]ts$'] },
      to: { path: '^src/gateway/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};

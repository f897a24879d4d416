// The Dockerfile, read statically: two stages on a current Node LTS, a runtime stage that holds only
// dist, the production node_modules and the package files, runs as a non-root user, listens on all
// interfaces on the port it exposes, keeps its data in a volume, answers its healthcheck without
// curl and gets signals directly. Its build is replayed for real in dockerfile-replay.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execForm, nodeMajor, parseCopy, parseDockerfile, parseEnv, parseHealthcheck, stepsOf, type Stage } from './dockerfile-steps.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');
const [build, runtime] = parseDockerfile(read('Dockerfile')) as [Stage, Stage];
const imageEnv = Object.assign({}, ...stepsOf(runtime, 'ENV').map(parseEnv)) as Record<string, string>;

describe('the Dockerfile', () => {
  it('has a build stage and a runtime stage on the same Node LTS major, pinned by major', () => {
    expect(parseDockerfile(read('Dockerfile')).map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(build.base).toBe(runtime.base);
    const major = nodeMajor(runtime.base);
    // Even majors become LTS; 24 is the current one (Node 20 and 22 work too, but the image ships the newest).
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(24);
    expect(runtime.base).toMatch(/-slim$/);
  });

  it('installs the locked dependencies with npm ci, builds, then prunes the dev dependencies', () => {
    const runs = stepsOf(build, 'RUN');
    expect(runs[0]).toMatch(/^npm ci\b/);
    expect(runs).toContain('npm run build');
    expect(runs.at(-1)).toMatch(/^npm prune --omit=dev\b/);
    // Every build-stage source is in the repository and not excluded from the build context.
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    for (const copy of stepsOf(build, 'COPY').map(parseCopy)) {
      for (const source of copy.sources) {
        expect(existsSync(root + source), source).toBe(true);
        expect(ignored, source).not.toContain(source);
      }
    }
  });

  it('skips install scripts only where none is needed: the lock has no others than better-sqlite3 and esbuild', () => {
    // better-sqlite3 is unused on Node 24 (node:sqlite, src/storage/sqlite-driver.ts) and esbuild is a
    // dev tool; a new dependency with an install script must make --ignore-scripts a fresh decision.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript).map(([path]) => path);
    expect(withScripts.sort()).toEqual(['node_modules/better-sqlite3', 'node_modules/esbuild']);
    expect(nodeMajor(runtime.base)).toBeGreaterThanOrEqual(24);
  });

  it('copies only dist, the production node_modules and the package files into the runtime stage', () => {
    const copies = stepsOf(runtime, 'COPY').map(parseCopy);
    expect(copies.every((copy) => copy.from === 'build')).toBe(true);
    expect(copies.flatMap((copy) => copy.sources).sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package-lock.json', '/app/package.json']);
  });

  it('runs as a non-root user, on all interfaces, with its data directory in a volume', () => {
    expect(stepsOf(runtime, 'USER')).toEqual(['node']);
    expect(imageEnv).toMatchObject({ NODE_ENV: 'production', TOLLGATE_HOST: '0.0.0.0', TOLLGATE_DATA_DIR: '/data' });
    expect(stepsOf(runtime, 'EXPOSE')).toEqual([imageEnv.TOLLGATE_PORT]);
    expect(stepsOf(runtime, 'VOLUME').map(execForm)).toEqual([[imageEnv.TOLLGATE_DATA_DIR]]);
    // The one runtime RUN prepares the volume for that user (the replay makes a temporary directory instead).
    expect(stepsOf(runtime, 'RUN')).toEqual(['mkdir -p /data && chown node:node /data && chmod 0700 /data']);
  });

  it('checks /healthz with Node itself (no curl in the image) and starts Node directly so it gets SIGTERM', () => {
    const [healthcheck, ...more] = stepsOf(runtime, 'HEALTHCHECK').map(parseHealthcheck);
    expect(more).toEqual([]);
    expect(healthcheck!.command[0]).toBe('node');
    expect(healthcheck!.command.join(' ')).toContain('/healthz');
    expect(healthcheck!.command.join(' ')).not.toMatch(/curl|wget/);
    expect(healthcheck!.options).toMatchObject({ interval: '30s', timeout: '5s' });
    // Exec form: Node is PID 1 (no shell in between) and src/main.ts handles SIGTERM.
    expect(stepsOf(runtime, 'CMD').map(execForm)).toEqual([['node', 'dist/src/cli/index.js', 'serve']]);
    expect(read('src/main.ts')).toContain("process.on('SIGTERM'");
  });

  it('keeps secrets, local data and builds out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const entry of ['.git', 'node_modules', 'dist', '.tollgate', '.env', 'master.key', 'tollgate.yaml']) {
      expect(ignored, entry).toContain(entry);
    }
  });
});

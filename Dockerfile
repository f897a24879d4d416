# Tollgate's container image. Images are not published: build it with `docker build -t tollgate .`
# Kept to plain COPY/RUN/ENV steps on purpose: test/deploy/dockerfile-replay.test.ts replays these
# steps in a fresh clone (the build stage's RUN lines, the runtime stage's copies and CMD), so a
# step that rots fails CI even though CI has no container daemon.

# Build stage: the locked dependencies, the TypeScript build, then only the production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the lock's only install scripts are better-sqlite3's native build (Node 24 uses
# the built-in node:sqlite instead, so the image needs no compiler) and esbuild's (a dev tool).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
RUN npm run build
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime stage: dist, the pruned node_modules and the package files, owned by root and run as the
# unprivileged `node` user, so the process cannot rewrite its own code.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production TOLLGATE_HOST=0.0.0.0 TOLLGATE_PORT=8080 TOLLGATE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The data directory (SQLite database and master.key, when not given by TOLLGATE_MASTER_KEY).
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# No curl in the image: Node's own fetch. /healthz says the process is up (readiness is /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TOLLGATE_PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1 and handles SIGTERM/SIGINT itself (src/main.ts: drain for up to 10 s, then
# exit 0). It starts no child processes, so no init is needed to reap them; `docker run --init`
# (compose: `init: true`) adds tini anyway for those who prefer it.
CMD ["node", "dist/src/cli/index.js", "serve"]

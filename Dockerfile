# syntax=docker/dockerfile:1
# Keygate: `keygate serve` in a container. Multi-stage: `deps` installs the production
# dependencies with `npm ci` (better-sqlite3 compiles its native addon there when no prebuilt
# binary can be fetched), `build` compiles the TypeScript with the full install, and the runtime
# stage holds only the compiled packages and production node_modules, and runs as a non-root user.
# Linted by test/dockerfile.test.ts (dockerfile-utils' validator and the rules this image keeps).
#
#   docker build -t keygate .
#   docker run --init -p 8080:8080 -v keygate-data:/var/lib/keygate keygate
#
# With PostgreSQL, add -e KEYGATE_DATABASE_URL=postgres://... (see docs/operations.md).

ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# Toolchain for better-sqlite3's node-gyp fallback (no prebuilt binary for this platform, or no network to fetch one).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp compiles against the image's own Node headers instead of downloading them.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/rego/package.json packages/rego/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/console/package.json packages/console/
RUN npm ci --omit=dev --no-audit --no-fund

FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages packages
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KEYGATE_HOST=0.0.0.0 \
    KEYGATE_PORT=8080 \
    KEYGATE_DATA_DIR=/var/lib/keygate
RUN groupadd --system --gid 10001 keygate \
 && useradd --system --uid 10001 --gid keygate --home-dir /var/lib/keygate --shell /usr/sbin/nologin keygate \
 && mkdir -p /var/lib/keygate \
 && chown keygate:keygate /var/lib/keygate
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/package.json ./
COPY --from=build /app/packages/rego/package.json packages/rego/
COPY --from=build /app/packages/rego/dist packages/rego/dist
COPY --from=build /app/packages/server/package.json packages/server/
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/cli/package.json packages/cli/
COPY --from=build /app/packages/cli/dist packages/cli/dist
# The web console, served at / (built and bundled by the build stage; nothing of it runs on Node).
COPY --from=build /app/packages/console/dist packages/console/dist
USER keygate:keygate
VOLUME ["/var/lib/keygate"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KEYGATE_PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/packages/cli/dist/main.js"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# The image runs on the current Node.js LTS (26); the code still supports Node 20 and later (package.json engines).
ARG NODE_IMAGE=node:26-trixie-slim

# Build stage: dependencies first, so that editing the source does not reinstall them (layer cache).
FROM ${NODE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds the source, which is not here yet; better-sqlite3's native addon is built
# (or its prebuilt binary fetched) by the rebuild that follows
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: the compiled code and production dependencies. No example mapping or directory: the image has
# no data to fall back on (mount your config and mappings; without a config `serve` exits 2 and says so).
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 8080
VOLUME ["/app/data"]
# The port is given on the command line below, so the health check probes the port the service listens on
# whatever the config's server.port says. /healthz needs no token.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/heap-access-sync.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]

# syntax=docker/dockerfile:1
# One image for the web process, the worker and migrations (docs/operations.md):
#   docker run IMAGE              → the web process (package.json's "start", port 3000)
#   docker run IMAGE worker       → the worker
#   docker run IMAGE db:deploy    → migrations, as a release step before the others start
# scripts/docker-entrypoint.sh execs the package.json script, so SIGTERM reaches the app.
# DATABASE_URL picks the database at run time; the Prisma client is generated
# at build time for DATABASE_ENGINE (postgresql, what a deployment grows onto,
# or sqlite for one machine).
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when its prebuilt binary cannot be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY scripts/native-rebuild.mjs scripts/native-rebuild.mjs
RUN npm ci --no-audit --no-fund
COPY . .
ARG DATABASE_ENGINE=postgresql
# `prisma generate` needs a URL of the engine's kind; nothing is connected to.
RUN if [ "$DATABASE_ENGINE" = "sqlite" ]; then export DATABASE_URL=file:/tmp/build.sqlite; \
    else export DATABASE_URL=postgresql://build:build@127.0.0.1:5432/build; fi \
 && npx prisma generate \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/build ./build
# The server and the worker run their TypeScript through tsx; migrations read prisma/.
COPY --from=build --chown=node:node /app/app ./app
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/server.ts /app/prisma.config.ts /app/tsconfig.json /app/env.d.ts ./
COPY --from=build --chown=node:node /app/scripts/docker-entrypoint.sh ./scripts/docker-entrypoint.sh
COPY --from=build --chown=node:node /app/scripts/rotate-key.ts ./scripts/rotate-key.ts
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["./scripts/docker-entrypoint.sh"]
CMD ["start"]

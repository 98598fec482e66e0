# The gateway's image: built with dev dependencies, run with production ones only, as a non-root
# user under tini. No Docker daemon runs where this project is developed: tests/deploy/dockerfile.test.ts
# checks the rules below, and docs/deploy.md says how to build and run it.
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
# tsc output (dist/src, dist/scripts: migrate, seed, promote-user), the bundle (dist/bundle) and the chat page (chat-ui/dist).
RUN npm run build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE}
# tini as PID 1: it forwards SIGTERM to node (which drains) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    DATA_DIR=/app/data
WORKDIR /app
# Owned by root and read-only to the gateway's user; only DATA_DIR (the embedded database, without DATABASE_URL) is writable.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/chat-ui/dist ./chat-ui/dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000 9464
# /readyz: the database answers and is migrated, and the instance is not draining.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# node itself, not npm: the signal reaches the process that drains.
CMD ["node", "dist/bundle/main.js"]

#!/usr/bin/env bash
# What the container image runs (Dockerfile, decision 018), checked without a
# container engine: the committed tree exported, installed, generated, built
# and pruned of dev dependencies as the image's build stage does, then its
# three entry commands run on Node 24 with production settings:
#   db:deploy   migrations apply to a fresh database
#   start       the web process answers /healthz, then /readyz
#   worker      the worker's heartbeat makes /readyz ready; both stop on SIGTERM with 0
# each through scripts/docker-entrypoint.sh, as the image's ENTRYPOINT runs them.
# Usage: bash scripts/ci/image-check.sh   (from the repository, after npm ci)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/image-check.XXXXXX)"
web="" worker=""
trap 'kill -9 $web $worker 2>/dev/null || true; [ -n "${IMAGE_CHECK_KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$repo"

# The image's base provides Node 24; here it is the repository's own (the `node` dev dependency).
node24="$(dirname "$(readlink -f "$repo/node_modules/.bin/node")")"
say() { echo "image-check: $*"; }

say "exporting the committed tree (what COPY . . takes, .dockerignore aside)"
mkdir -p "$work/app"
git -C "$repo" archive HEAD | tar -x -C "$work/app"
cd "$work/app"

say "build stage: npm ci, prisma generate (sqlite), npm run build, npm prune --omit=dev"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
DATABASE_URL="file:$work/build.sqlite" npx prisma generate >/dev/null
npm run build >/dev/null
npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
test ! -e node_modules/vitest || { say "dev dependencies are still installed"; exit 1; }

# Runtime: Node 24 first on PATH, as in the image; no dev dependency is left.
export PATH="$node24:$PATH"
export NODE_ENV=production
export DATABASE_URL="file:$work/data.sqlite"
export PORT=38123
export SHOPIFY_API_KEY=image-check
export SHOPIFY_API_SECRET=image-check-secret
export SHOPIFY_APP_URL="http://127.0.0.1:$PORT"
export CREDENTIALS_ENCRYPTION_KEY="$(node -e 'console.log(require("node:crypto").randomBytes(32).toString("hex"))')"
export WORKER_STALE_AFTER_MS=60000

say "entry db:deploy"
sh scripts/docker-entrypoint.sh db:deploy >/dev/null

status() { node -e "fetch('http://127.0.0.1:$PORT$1').then(r=>{console.log(r.status)},()=>console.log(0))"; }
wait_for() { # path, wanted status, seconds
  for _ in $(seq 1 "$(( $3 * 2 ))"); do
    [ "$(status "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  say "$1 did not answer $2 within $3 s (last: $(status "$1"))"; return 1
}

say "entry start"
sh scripts/docker-entrypoint.sh start >"$work/web.log" 2>&1 &
web=$!
wait_for /healthz 200 60
wait_for /readyz 503 5 # no worker yet: not ready, and says so

say "entry worker"
sh scripts/docker-entrypoint.sh worker >"$work/worker.log" 2>&1 &
worker=$!
wait_for /readyz 200 60

# As a container runtime stops it: SIGTERM to the image's main process, which
# the entry point made the app itself.
say "SIGTERM to both"
kill -TERM "$worker" "$web"
for pid in "$worker" "$web"; do
  code=0
  wait "$pid" || code=$?
  [ "$code" = 0 ] || { say "process $pid exited $code"; tail -n 20 "$work/web.log" "$work/worker.log"; exit 1; }
done
grep -q '"msg":"web server stopped"' "$work/web.log" || { say "the web process did not stop cleanly"; tail -n 20 "$work/web.log"; exit 1; }
grep -q '"msg":"worker stopped"' "$work/worker.log" || { say "the worker did not stop cleanly"; tail -n 20 "$work/worker.log"; exit 1; }
say "the image's entry commands work: migrations, web (/healthz, /readyz) and worker, stopped cleanly"

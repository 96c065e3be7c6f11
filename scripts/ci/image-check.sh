#!/usr/bin/env bash
# The container image (Dockerfile, decision 018) and its three entry commands:
#   db:deploy   migrations apply to a fresh database
#   start       the web process answers /healthz, then /readyz
#   worker      the worker's heartbeat makes /readyz ready; both stop on SIGTERM with 0
# each through scripts/docker-entrypoint.sh, as the image's ENTRYPOINT runs them.
#
#   bash scripts/ci/image-check.sh --image   (CI; as root, with podman)
#     builds the Dockerfile as written with podman (chroot isolation, on the
#     base scripts/ci/image-base.sh makes) from the committed tree, then runs
#     the commands in the image's own file system as its `node` user, on
#     PostgreSQL (.ci/postgres.sh), the engine the image is generated for.
#     No container runtime works here (crun refuses), so chroot stands in.
#   bash scripts/ci/image-check.sh
#     without podman: the committed tree installed, generated, built and
#     pruned as the build stage does, the commands run on the repository's
#     Node 24 against SQLite.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/image-check.XXXXXX)"
mode="${1:-tree}"
web="" worker="" mnt="" container=""
say() { echo "image-check: $*"; }
cleanup() {
  kill -9 $web $worker 2>/dev/null || true
  if [ -n "$mnt" ]; then
    umount "$mnt/proc" "$mnt/dev" 2>/dev/null || true
    podman umount "$container" >/dev/null 2>&1 || true
    podman rm -f "$container" >/dev/null 2>&1 || true
  fi
  [ -n "${IMAGE_CHECK_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
cd "$repo"

say "exporting the committed tree (what COPY . . takes, .dockerignore aside)"
mkdir -p "$work/app"
git -C "$repo" archive HEAD | tar -x -C "$work/app"

PORT=38123
settings=(
  NODE_ENV=production
  PORT=$PORT
  SHOPIFY_API_KEY=image-check
  SHOPIFY_API_SECRET=image-check-secret
  SHOPIFY_APP_URL="http://127.0.0.1:$PORT"
  CREDENTIALS_ENCRYPTION_KEY="$(node -e 'console.log(require("node:crypto").randomBytes(32).toString("hex"))')"
  WORKER_STALE_AFTER_MS=60000
)

if [ "$mode" = "--image" ]; then
  image=localhost/brilliant-sync:ci
  bash "$repo/scripts/ci/image-base.sh"
  say "podman build (chroot isolation) of the Dockerfile, from the committed tree"
  started=$(date +%s)
  podman build --isolation chroot --network host --pull=never --tag "$image" "$work/app" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log"; exit 1; }
  say "built in $(( $(date +%s) - started )) s: $(podman image inspect "$image" --format '{{.Size}}') bytes"
  database_url="$(POSTGRES_DB=brilliant_image bash "$repo/.ci/postgres.sh" | tail -n 1)"
  container="$(podman create "$image")"
  mnt="$(podman mount "$container")"
  mount --bind /dev "$mnt/dev"
  mount -t proc proc "$mnt/proc"
  read -r -a image_env <<<"$(podman image inspect "$image" --format '{{range .Config.Env}}{{.}} {{end}}')"
  user="$(podman image inspect "$image" --format '{{.Config.User}}')"
  workdir="$(podman image inspect "$image" --format '{{.Config.WorkingDir}}')"
  [ "$user" = node ] || { say "the image runs as '$user', not node"; exit 1; }
  # As the runtime would start it: the image's user, environment and working directory.
  entry() {
    exec chroot --userspec=1000:1000 "$mnt" /usr/bin/env -i "${image_env[@]}" HOME=/home/node \
      "${settings[@]}" DATABASE_URL="$database_url" \
      /bin/sh -c "cd $workdir && exec ./scripts/docker-entrypoint.sh \"\$0\"" "$1"
  }
else
  cd "$work/app"
  say "build stage: npm ci, prisma generate (sqlite), npm run build, npm prune --omit=dev"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  DATABASE_URL="file:$work/build.sqlite" npx prisma generate >/dev/null
  npm run build >/dev/null
  npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
  test ! -e node_modules/vitest || { say "dev dependencies are still installed"; exit 1; }
  # The image's base provides Node 24; here it is the repository's own (the `node` dev dependency).
  node24="$(dirname "$(readlink -f "$repo/node_modules/.bin/node")")"
  entry() {
    exec env PATH="$node24:$PATH" "${settings[@]}" DATABASE_URL="file:$work/data.sqlite" \
      sh scripts/docker-entrypoint.sh "$1"
  }
fi

# `entry` ends in exec, so each runs in a subshell of its own: a background
# one's pid is then the app's, and SIGTERM goes to the app, as in a container.
say "entry db:deploy"
(entry db:deploy) >"$work/deploy.log" 2>&1 || { tail -n 20 "$work/deploy.log"; exit 1; }

status() { node -e "fetch('http://127.0.0.1:$PORT$1').then(r=>{console.log(r.status)},()=>console.log(0))"; }
wait_for() { # path, wanted status, seconds
  for _ in $(seq 1 "$(($3 * 2))"); do
    [ "$(status "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  say "$1 did not answer $2 within $3 s (last: $(status "$1"))"
  tail -n 20 "$work/web.log" "$work/worker.log" 2>/dev/null || true
  return 1
}

say "entry start"
entry start >"$work/web.log" 2>&1 &
web=$!
wait_for /healthz 200 60
wait_for /readyz 503 5 # no worker yet: not ready, and says so

say "entry worker"
entry worker >"$work/worker.log" 2>&1 &
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
web="" worker=""
grep -q '"msg":"web server stopped"' "$work/web.log" || { say "the web process did not stop cleanly"; tail -n 20 "$work/web.log"; exit 1; }
grep -q '"msg":"worker stopped"' "$work/worker.log" || { say "the worker did not stop cleanly"; tail -n 20 "$work/worker.log"; exit 1; }
grep -q '"service":"worker"' "$work/worker.log" || { say "the worker's log lines do not say service worker"; exit 1; }
say "the image's entry commands work ($mode): migrations, web (/healthz, /readyz) and worker, stopped cleanly"

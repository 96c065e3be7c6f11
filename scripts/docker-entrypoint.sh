#!/bin/sh
# The container's entry point: runs a package.json script (start, worker,
# db:deploy, rotate-key) as the container's main process. `exec`, not
# `npm run`: npm does not hand SIGTERM on to the app, which then could not
# stop gracefully (docs/operations.md, Stopping).
set -e
name="${1:-start}"
[ $# -gt 0 ] && shift
command="$(node -p "require('./package.json').scripts[process.argv[1]] || ''" "$name")"
if [ -z "$command" ]; then
  echo "docker-entrypoint: no package.json script named \"$name\"" >&2
  exit 64
fi
PATH="$(pwd)/node_modules/.bin:$PATH"
export PATH
eval "exec $command \"\$@\""

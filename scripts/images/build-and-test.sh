#!/usr/bin/env bash
# Builds every image the project ships from the repository's Dockerfiles with buildah (no container
# engine or image registry needed), smoke-tests each for real and prints its size and what takes the
# space. Run by .ci/run; by hand: bash scripts/images/build-and-test.sh (as root; docs/design/images.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
HERE=$REPO/scripts/images
WORK=${QRW_IMAGES_WORK:-/var/tmp/qrw-images}
PORTRAITS=${QRW_PORTRAITS:-$REPO/../shared/idphoto/portraits}
export QRW_IMAGES_WORK=$WORK

# The images: tag | Dockerfile | target stage (empty: the last one).
IMAGES=(
  "qr-workshop:latest|deploy/Dockerfile|"
)
# The smoke tests: image | name | environment (space-separated) | command (empty: the image's own) |
# smoke.mjs checks. Each runs as a service: /health, the image's HEALTHCHECK, the checks, SIGTERM -> 0.
# The QR service's memory limit is the issue's 256 MB; the ID-photo service's is Compose's 1 GB. The worker
# takes jobs from this machine's Redis, under a key prefix of its own so that it sees no one else's.
SMOKES=(
  "qr-workshop:latest|service (image defaults, both tools)|||--qr --idphoto $PORTRAITS"
  "qr-workshop:latest|qr (TOOLS=qr, as Compose and Kubernetes run it; API keys on, their SQLite store opened)|TOOLS=qr POOL_THREADS=1 AUTH_MODE=optional ACCOUNTS_DB=/tmp/qrw-smoke-keys.db||--qr --load qr --seconds 10 --rss-limit-mb 256"
  "qr-workshop:latest|idphoto (TOOLS=idphoto, as Compose and Kubernetes run it)|TOOLS=idphoto||--no-qr --idphoto $PORTRAITS --load idphoto --seconds 10 --rss-limit-mb 1024"
  "qr-workshop:latest|job worker (qrw worker)|REDIS_URL=${QRW_SMOKE_REDIS:-redis://127.0.0.1:6379/0} REDIS_KEY_PREFIX=qrw-image-smoke-$$:|node --max-semi-space-size=2 --heap-growing-percent=50 dist/src/cli/main.js worker|--rss-limit-mb 256"
)
BUILD_FLAGS=(--isolation chroot --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --format docker --pull=never)
RUN_FLAGS=(--isolation chroot)

step() { printf '\n== %s (%d s)\n' "$*" "$SECONDS"; }

# Tools: buildah and debootstrap from Debian, as .ci/run installs its other packages.
missing=()
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -d "$PORTRAITS" ] || { echo "no test portraits in $PORTRAITS (set QRW_PORTRAITS)" >&2; exit 1; }

# Containers this script made (named qrw-smoke-*): removed on exit, and left over from an interrupted run.
containers=()
service_pid=
cleanup() {
  if [ -n "$service_pid" ]; then kill -KILL "$service_pid" 2>/dev/null || true; fi
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  # The worker's smoke test made its queues' keys in the shared Redis under its own prefix.
  if command -v redis-cli >/dev/null 2>&1; then redis-cli --scan --pattern "qrw-image-smoke-$$:*" 2>/dev/null | xargs -r redis-cli del >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
for c in $(buildah containers --noheading --format '{{.ContainerName}}' | grep '^qrw-smoke-' || true); do buildah rm "$c" >/dev/null || true; done

step "base images"
bash "$HERE/base.sh"

for entry in "${IMAGES[@]}"; do
  IFS='|' read -r tag dockerfile target <<<"$entry"
  step "build $tag from $dockerfile${target:+ (target $target)}"
  started=$SECONDS
  previous=$(buildah images --quiet "$tag" 2>/dev/null || true)
  buildah bud "${BUILD_FLAGS[@]}" ${target:+--target "$target"} -f "$dockerfile" -t "$tag" . >"$WORK/build-${tag%%:*}.log" 2>&1 ||
    { tail -40 "$WORK/build-${tag%%:*}.log"; echo "build of $tag failed (log: $WORK/build-${tag%%:*}.log)" >&2; exit 1; }
  echo "built $tag in $((SECONDS - started)) s"
  # The image this build replaced (untagged now): removed, so that runs on one machine do not pile up.
  if [ -n "$previous" ] && buildah images --quiet --filter dangling=true | grep -q "^$previous"; then buildah rmi "$previous" >/dev/null || true; fi
done

# A free TCP port on the host (the image's command runs on the host's network).
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
# A field of a container's image configuration (dotted path), a line per array item.
config() { buildah inspect --type container "$1" | node -e 'let v = JSON.parse(require("fs").readFileSync(0)); for (const k of process.argv[1].split(".")) v = v?.[k]; for (const a of [v ?? []].flat()) console.log(a)' "$2"; }
# The node process a `buildah run` started: its descendant whose program is node (by its executable:
# Node 24 names its main thread, and so the process's comm, "MainThread").
node_under() {
  local pid
  for pid in $(pgrep -P "$1" || true); do
    if [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = node ]; then echo "$pid"; else node_under "$pid"; fi
  done
}

n=0
for entry in "${SMOKES[@]}"; do
  IFS='|' read -r image name env command checks <<<"$entry"
  n=$((n + 1))
  step "smoke test $n: $image, $name"
  ctr=$(buildah from --pull=never --name "qrw-smoke-$n" "$image")
  containers+=("$ctr")
  env_flags=()
  for e in $env; do env_flags+=(--env "$e"); done
  user=$(config "$ctr" OCIv1.config.User)
  # As Docker runs it: the entry point, then the command given (Compose's `command:`) or the image's own.
  mapfile -t argv < <(config "$ctr" OCIv1.config.Entrypoint)
  if [ -n "$command" ]; then read -r -a cmd <<<"$command"; else mapfile -t cmd < <(config "$ctr" OCIv1.config.Cmd); fi
  argv+=("${cmd[@]}")
  port=$(free_port)
  log=$WORK/smoke-$n.log
  echo "  ..  user $user, command: ${argv[*]} (PORT=$port${env:+ $env})"
  buildah run "${RUN_FLAGS[@]}" --env "PORT=$port" "${env_flags[@]}" "$ctr" -- "${argv[@]}" >"$log" 2>&1 &
  runner=$!
  service_pid=
  for _ in $(seq 1 120); do
    service_pid=$(node_under "$runner" | head -1)
    if [ -n "$service_pid" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; then break; fi
    if ! kill -0 "$runner" 2>/dev/null; then cat "$log"; echo "the service exited before answering" >&2; exit 1; fi
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/health" || { tail -20 "$log"; echo "no answer on /health in 60 s" >&2; exit 1; }
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$service_pid/status")
  [ "$uid" = "$(chroot "$(buildah mount "$ctr")" id -u "$user")" ] || { echo "runs as uid $uid, not as $user" >&2; exit 1; }
  echo "  ok  node (pid $service_pid) runs as $user (uid $uid), not root"

  # The image's own HEALTHCHECK command, inside the image (Docker keeps it only in the docker format).
  mapfile -t health < <(config "$ctr" Docker.config.Healthcheck.Test)
  [ "${health[0]:-}" = CMD ] || { echo "no HEALTHCHECK CMD in $image" >&2; exit 1; }
  buildah run "${RUN_FLAGS[@]}" --env "PORT=$port" "$ctr" -- "${health[@]:1}"
  echo "  ok  HEALTHCHECK (${health[*]:1:2} ...): exit 0"

  # shellcheck disable=SC2086
  node "$HERE/smoke.mjs" --url "http://127.0.0.1:$port" --pid "$service_pid" $checks

  kill -TERM "$service_pid"
  started=$SECONDS
  status=0
  wait "$runner" || status=$?
  service_pid=
  [ "$status" = 0 ] || { tail -20 "$log"; echo "exit status $status after SIGTERM" >&2; exit 1; }
  echo "  ok  SIGTERM: exit 0 after $((SECONDS - started)) s; last log line: $(tail -1 "$log" | cut -c1-160)"
  buildah umount "$ctr" >/dev/null
done

for entry in "${IMAGES[@]}"; do
  IFS='|' read -r tag _ _ <<<"$entry"
  step "size of $tag"
  rm -rf "$WORK/size" && mkdir -p "$WORK/size"
  buildah push --quiet "$tag" "docker-archive:$WORK/size/image.tar:$tag" >/dev/null
  buildah push --quiet "$tag" "oci:$WORK/size/oci" >/dev/null
  tar -tvf "$WORK/size/image.tar" >"$WORK/size/listing"
  tar -xOf "$WORK/size/image.tar" manifest.json >"$WORK/size/manifest.json"
  buildah inspect --type image "$tag" | node "$HERE/sizes.mjs" "$WORK/size/listing" "$WORK/size/manifest.json" "$WORK/size/oci"
  rm -rf "$WORK/size"
  ctr=$(buildah from --pull=never --name "qrw-smoke-size-${tag%%:*}" "$tag")
  containers+=("$ctr")
  root=$(buildah mount "$ctr")
  for path in app/node_modules/@imgly usr/local/lib/node_modules/npm usr/local/include/node usr/bin/gcc usr/bin/make usr/bin/python3; do
    [ ! -e "$root/$path" ] || { echo "/$path is in $tag" >&2; exit 1; }
  done
  echo "not in the image (checked): ISNet (@imgly), npm, Node's headers, gcc, make, python3"
  # Compose mounts its jobs volume here; a new volume takes this directory's owner.
  [ "$(stat -c %u "$root/var/lib/qr-workshop/jobs")" = 1000 ] || { echo "/var/lib/qr-workshop/jobs is not the node user's" >&2; exit 1; }
  echo "in the image (checked): /var/lib/qr-workshop/jobs (JOBS_DIR in Compose) owned by node"
  echo "-- the root file system (MB), by top directory:"
  (cd "$root" && du -smx -- * | sort -rn | head -8 | awk '{printf "  %6d  /%s\n", $1, $2}')
  echo "-- the largest parts:"
  (cd "$root" && du -smx usr/local/bin/node app/node_modules app/dist app/models usr/lib/x86_64-linux-gnu usr/share var/lib/dpkg | sort -rn | awk '{printf "  %6d  /%s\n", $1, $2}')
  echo "-- /app/node_modules (MB), by package (top 15):"
  (cd "$root/app/node_modules" && du -sm -- $(ls -d -- */ @*/*/ | grep -v '^@[^/]*/$') | sort -rn | head -15 | awk '{printf "  %6d  %s\n", $1, $2}')
  buildah umount "$ctr" >/dev/null
done
step "all images built and smoke-tested"

#!/usr/bin/env bash
# Builds the image from docker/Dockerfile and runs it for real (podman; docker works the same
# where there is an engine): the portal and health answer, a reader registers and is still
# there after a restart, SIGTERM stops the node within 10 s with exit code 0, the files in the
# volume belong to uid 1000, TZ is Beijing time, ffmpeg is there; a volume owned by root is
# refused with a message naming the fix, and nothing in it is touched. Removes its containers
# and volume; keeps the one image it tags (localhost/shulin-test) as the next build's cache.
#   bash docker/test.sh            (from anywhere; .ci/run runs it after the tests)
# Prints the build time and the image size. SHULIN_CONTAINER_ENV names the script that makes
# podman usable (default: ../shared/tools/container-env.sh beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

fail() {
  echo "docker/test.sh: FAILED: $*" >&2
  exit 1
}

# --- podman -------------------------------------------------------------------------------
envfile=${SHULIN_CONTAINER_ENV:-}
if [ -z "$envfile" ]; then
  for f in "$root/../shared/tools/container-env.sh" "$root/../../shared/tools/container-env.sh" /work/shared/tools/container-env.sh; do
    [ -f "$f" ] && envfile=$f && break
  done
fi
if [ -n "$envfile" ]; then
  # shellcheck source=/dev/null
  source "$envfile" || fail "could not make podman usable with $envfile"
fi
if ! declare -F podman >/dev/null && ! command -v podman >/dev/null; then
  fail "podman is not installed and no container-env.sh was found (set SHULIN_CONTAINER_ENV); the image was not tested"
fi

# Without systemd, podman logs an error about healthcheck timers at each run, start and stop
# (`podman healthcheck run` below still checks the HEALTHCHECK): not shown.
quiet() { "$@" 2> >(grep -v 'systemd connection' >&2); }

run_id=$$
# One image, replaced by each run and kept as the next build's cache: removing it would drop
# its layers (the ffmpeg one takes minutes to make). SHULIN_TEST_REMOVE_IMAGE=1 removes it.
tag=localhost/shulin-test:latest
name=shulin-test-$run_id
volume=shulin-test-data-$run_id
rootdir=$(mktemp -d)
cleanup() {
  # One at a time: podman rm stops at the first name that is already gone.
  for c in "$name" "$name-root"; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  if [ "${SHULIN_TEST_REMOVE_IMAGE:-0}" = 1 ]; then podman rmi -f "$tag" >/dev/null 2>&1 || true; fi
  rm -rf "$rootdir"
}
trap cleanup EXIT

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
http_port=$(free_port)
p2p_port=$(free_port)
base=http://127.0.0.1:$http_port

# --- build ----------------------------------------------------------------------------------
# Docker format keeps the HEALTHCHECK (the OCI format has no field for it).
echo "building the image (docker/Dockerfile)…"
previous=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
t0=$(date +%s)
podman build --format docker -f docker/Dockerfile -t "$tag" . >"$rootdir/build.log" 2>&1 || {
  tail -40 "$rootdir/build.log" >&2
  fail "the image did not build"
}
t1=$(date +%s)
size=$(podman image inspect --format '{{.Size}}' "$tag")
# The image this one replaces goes (its layers that the new one shares stay).
current=$(podman image inspect --format '{{.Id}}' "$tag")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi
echo "built in $((t1 - t0)) s; image size $((size / 1024 / 1024)) MiB"

# --- run ------------------------------------------------------------------------------------
wait_health() {
  for _ in $(seq 1 120); do
    curl_ok=$(node -e "fetch('$base/api/health').then(r=>r.json()).then(j=>console.log(j.status),()=>console.log('no'))")
    [ "$curl_ok" = ok ] && return 0
    [ "$(podman inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || {
      podman logs "$name" >&2 || true
      fail "the container stopped before it answered"
    }
    sleep 0.5
  done
  podman logs "$name" >&2 || true
  fail "no health answer within 60 s"
}
post() { # path json → "status body"
  node -e "fetch('$base$1',{method:'POST',headers:{'content-type':'application/json'},body:process.argv[1]}).then(async r=>console.log(r.status,await r.text()),e=>console.log('error',e.message))" "$2"
}

podman volume create "$volume" >/dev/null
# The sandbox's podman shares the host's network, so the node is told its ports; under docker
# the published 8090/8091 (compose.yaml) reach the image's defaults.
quiet podman run -d --name "$name" -p "$http_port:$http_port" -p "$p2p_port:$p2p_port" \
  -e SHULIN_PORT="$http_port" -e SHULIN_P2P_PORT="$p2p_port" -v "$volume:/data" "$tag" >/dev/null
t2=$(date +%s%N)
wait_health
echo "answered health $((($(date +%s%N) - t2) / 1000000)) ms after podman run"

portal=$(node -e "fetch('$base/').then(async r=>console.log(r.status,r.headers.get('content-type'),(await r.text()).includes('<html')))")
[[ $portal == "200 text/html"*" true" ]] || fail "GET / did not serve the portal's HTML: $portal"
embed=$(node -e "fetch('$base/embed.js').then(r=>console.log(r.status,r.headers.get('content-type')))")
[[ $embed == "200 text/javascript"* ]] || fail "GET /embed.js (the web UI's embed build) did not answer: $embed"
echo "GET / serves the portal, /embed.js the embeds"

[ "$(podman exec "$name" id -u)" = 1000 ] || fail "the node does not run as uid 1000"
[ "$(podman exec "$name" node -e 'console.log(new Date().getTimezoneOffset())')" = -480 ] || fail "TZ is not Asia/Shanghai"
podman exec "$name" ffmpeg -hide_banner -version >/dev/null || fail "ffmpeg is missing"
podman healthcheck run "$name" >/dev/null || fail "the image's HEALTHCHECK failed"
echo "uid 1000, TZ Asia/Shanghai, ffmpeg present, HEALTHCHECK passes"

reg=$(post /api/auth/register '{"mode":"quick","phone":"13800138000","password":"reading2026"}')
[[ $reg == 201* ]] || fail "a reader could not register: $reg"

# SIGTERM (podman stop sends the image's STOPSIGNAL, then SIGKILL after 10 s).
s0=$(date +%s%N)
quiet podman stop -t 10 "$name" >/dev/null
stop_ms=$((($(date +%s%N) - s0) / 1000000))
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "after SIGTERM the node exited with $code (137 = killed after the 10 s grace)"
[ "$stop_ms" -lt 10000 ] || fail "stopping took $stop_ms ms"
echo "SIGTERM stopped the node in $stop_ms ms, exit code 0"

mountpoint=$(podman volume inspect --format '{{.Mountpoint}}' "$volume")
[ -f "$mountpoint/node-key" ] || fail "the volume holds no node-key: the data is not in /data"
others=$(find "$mountpoint" ! -uid 1000 -printf '%u %p\n' | head -5)
[ -z "$others" ] || fail "files in the volume not owned by uid 1000: $others"
echo "the volume's files belong to uid 1000"

quiet podman start "$name" >/dev/null
wait_health
login=$(post /api/auth/login '{"identifier":"13800138000","password":"reading2026"}')
[[ $login == 200* ]] || fail "the reader was lost across the restart: $login"
echo "after a restart the reader signs in"
quiet podman rm -f -t 10 "$name" >/dev/null

# --- a volume owned by root -----------------------------------------------------------------
echo "keep me" >"$rootdir/sentinel"
mkdir -p "$rootdir/data" && echo "keep me" >"$rootdir/data/sentinel" && chown -R 0:0 "$rootdir/data" && chmod 755 "$rootdir/data"
quiet podman run -d --name "$name-root" -e SHULIN_PORT="$http_port" -e SHULIN_P2P_PORT="$p2p_port" \
  -v "$rootdir/data:/data" "$tag" >/dev/null
podman wait "$name-root" >/dev/null 2>&1 || true
code=$(podman inspect --format '{{.State.ExitCode}}' "$name-root")
logs=$(podman logs "$name-root" 2>&1)
[ "$code" != 0 ] || fail "a root-owned volume was accepted"
[[ $logs == *"chown -R 1000:1000"* ]] || fail "a root-owned volume gave no message naming the fix: $logs"
[ "$(ls -A "$rootdir/data")" = sentinel ] && [ "$(cat "$rootdir/data/sentinel")" = "keep me" ] ||
  fail "the root-owned volume was changed"
echo "a root-owned volume is refused: $(echo "$logs" | grep -m1 'not writable')"

echo "docker/test.sh: passed (build $((t1 - t0)) s, image $((size / 1024 / 1024)) MiB, stop $stop_ms ms; kept $tag as the build cache)"

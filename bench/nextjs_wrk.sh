#!/usr/bin/env bash
# The Next.js example's specs, spec and search routes under wrk (loopback, 16 connections,
# --latency), side by side with the same routes of LeanSpec's own HTTP server
# (npm @leanspec/http-linux-x64, installed into bench/peers as bench/peer_latency.py does), both
# serving a private copy of the same corpus. Prints one table row per route and server:
# p50, p99 (ms) and requests/s.
#   bash bench/nextjs_wrk.sh [CORPUS_DIR]       (default $LEANSPEC_CORPUS, else ../shared/corpus/lean-spec beside the checkout)
# Needs the app built by `bash scripts/run.sh` (examples/nextjs/.next and
# build-release/bindings/node/leanspec.node). Environment: WRK_DURATION (default 10s),
# WRK_CONNECTIONS (16), WRK_THREADS (2), SPEC (the spec id fetched; default the list's first).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${1:-${LEANSPEC_CORPUS:-$repo/../shared/corpus/lean-spec}}
duration=${WRK_DURATION:-10s}
connections=${WRK_CONNECTIONS:-16}
threads=${WRK_THREADS:-2}
addon=${LEANSPEC_NODE_ADDON:-$repo/build-release/bindings/node/leanspec.node}
app=$repo/examples/nextjs
peer=$repo/bench/peers/node_modules/@leanspec/http-linux-x64/leanspec-http

[[ -d $corpus/specs ]] || { echo "nextjs_wrk.sh: no specs/ in $corpus" >&2; exit 2; }
[[ -f $addon && -f $app/.next/BUILD_ID ]] || {
  echo "nextjs_wrk.sh: build the app first: bash scripts/run.sh (then Ctrl-C)" >&2
  exit 2
}
command -v wrk >/dev/null || { echo "nextjs_wrk.sh: wrk is not installed" >&2; exit 2; }
if [[ ! -x $peer ]]; then
  mkdir -p "$repo/bench/peers"
  [[ -f $repo/bench/peers/.gitignore ]] || echo '*' >"$repo/bench/peers/.gitignore"
  npm install --prefix "$repo/bench/peers" --no-audit --no-fund --no-save \
    @leanspec/cli-linux-x64@0.3.0 @leanspec/http-linux-x64@0.3.0 >&2
  chmod +x "$peer" # npm does not run the package's postinstall, which does this
fi

work=$(mktemp -d /tmp/leanspec-nextjs-wrk.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/project"
cp -r "$corpus/specs" "$work/project/specs"
if [[ -f $corpus/.lean-spec/config.json ]]; then
  mkdir -p "$work/project/.lean-spec" && cp "$corpus/.lean-spec/config.json" "$work/project/.lean-spec/"
fi
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url pid: bounded wait for a 200
  local i
  for i in $(seq 300); do
    kill -0 "$2" 2>/dev/null || { echo "nextjs_wrk.sh: server for $1 exited; see $work/*.log" >&2; exit 1; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1") == 200 ]] && return 0
    sleep 0.1
  done
  echo "nextjs_wrk.sh: $1 not up within 30 s" >&2
  exit 1
}

app_port=$(free_port)
(cd "$app" && exec env LEANSPEC_NODE_ADDON="$addon" SPECS_MODE=filesystem SPECS_DIR="$work/project/specs" \
  NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$app_port") \
  >"$work/app.log" 2>&1 &
pids+=($!)
peer_port=$(free_port)
# HOME inside the work dir: the peer keeps its project registry in ~/.lean-spec/.
HOME=$work XDG_CONFIG_HOME=$work/.config "$peer" --host 127.0.0.1 --port "$peer_port" \
  --project "$work/project" --no-open >"$work/peer.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$app_port/api/stats" "${pids[0]}"
wait_up "http://127.0.0.1:$peer_port/api/projects" "${pids[1]}"

peer_id=$(curl -s "http://127.0.0.1:$peer_port/api/projects" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["projects"][0]["id"])')
spec=${SPEC:-$(curl -s "http://127.0.0.1:$app_port/api/specs" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["specs"][0]["id"])')}
query=cache

# route label, app path, peer path; the peer's search is POST {"query"} (a wrk Lua script).
routes=(
  "specs|/api/specs|/api/projects/$peer_id/specs"
  "spec|/api/specs/$spec|/api/projects/$peer_id/specs/$spec"
  "search|/api/search?q=$query|POST /api/projects/$peer_id/search"
)
cat >"$work/search.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"query":"$query"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# wrk --latency output -> "p50_ms p99_ms req_s non2xx timeouts" (wrk's timeout is 2 s); a second argument: a Lua script
measure() {
  wrk -t"$threads" -c"$connections" -d"$duration" --latency ${2:+-s "$2"} "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 } /Non-2xx/ { bad = $NF } /Socket errors/ { gsub(",", ""); late = $NF }
    END { printf "%.2f %.2f %.0f %d %d\n", p50, p99, rps, bad, late }'
}

echo "corpus $corpus ($(find "$work/project/specs" -name README.md | wc -l) README.md), wrk -t$threads -c$connections -d$duration --latency, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-14s %9s %9s %9s %s\n' route server p50_ms p99_ms req/s 'non-2xx timeouts'
for r in "${routes[@]}"; do
  IFS='|' read -r label app_path peer_path <<<"$r"
  for side in app peer; do
    script=() post=()
    if [[ $side == app ]]; then
      url="http://127.0.0.1:$app_port$app_path" name=nextjs
    else
      url="http://127.0.0.1:$peer_port${peer_path#POST }" name=leanspec-http
      if [[ $peer_path == POST* ]]; then
        script=("$work/search.lua")
        post=(-X POST -H 'Content-Type: application/json' -d "{\"query\":\"$query\"}")
      fi
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' "${post[@]}" "$url") # also warms the caches
    read -r p50 p99 rps bad late < <(measure "$url" "${script[@]}")
    printf '%-8s %-14s %9s %9s %9s %s\n' "$label" "$name" "$p50" "$p99" "$rps" "$bad $late (first answer $code)"
  done
done

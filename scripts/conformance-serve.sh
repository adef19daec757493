#!/usr/bin/env bash
# Runs Okta's and Microsoft's SCIM conformance suites against the real `serve` command, each on a fresh, empty
# store, with a fresh Heap stand-in as its target (the pushes drive incremental runs, as in production).
# Run from the project root: bash scripts/conformance-serve.sh
# HAS_CMD overrides how the CLI is started (default: the built bin when dist/ exists, else tsx on the source).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy
suites=${CONFORMANCE_DIR:-../shared/conformance}
if [ -n "${HAS_CMD:-}" ]; then read -r -a cli <<<"$HAS_CMD"
elif [ -f dist/cli/main.js ]; then cli=(node bin/heap-access-sync.js)
else cli=(node --import tsx src/cli/main.ts); fi

rand() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
export SCIM_TOKEN="scim-$(rand)" HEAP_SCIM_TOKEN="heap-$(rand)" ADMIN_TOKEN="admin-$(rand)"
work=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'stop; rm -rf "$work"' EXIT

# waits for a line matching $2 in log $1 and prints the captured URL
wait_for_url() {
  local log=$1 pattern=$2 pid=$3 url=""
  for _ in $(seq 1 1200); do
    url=$(sed -n "s#$pattern#\\1#p" "$log" | head -n 1)
    [ -n "$url" ] && { echo "$url"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log" >&2
  return 1
}

status=0
for suite in okta microsoft; do
  dir="$work/$suite"
  mkdir -p "$dir"
  "${cli[@]}" stand-in --port 0 --data "$dir/heap" --reset --log-level warn >"$dir/heap.log" 2>&1 &
  pids+=($!)
  heap=$(wait_for_url "$dir/heap.log" '^Heap stand-in listening on \(http:[^ ]*\) .*' "${pids[-1]}") || {
    echo "conformance-serve: the Heap stand-in did not start" >&2
    exit 1
  }
  cat >"$dir/config.yaml" <<EOC
mappings: $root/mappings
store: { sqlite: $dir/store.db }
sources: [ { type: scim, debounceMs: 200 } ]
target: { type: scim, url: "$heap/scim/v2" }
server: { host: 127.0.0.1, port: 0 }
schedule: null
alerts: [ { type: log } ]
logLevel: warn
EOC
  "${cli[@]}" --config "$dir/config.yaml" serve >"$dir/serve.log" 2>&1 &
  pids+=($!)
  url=$(wait_for_url "$dir/serve.log" '^heap-access-sync listening on \(http:[^ ]*\).*' "${pids[-1]}") || {
    echo "conformance-serve: serve did not start" >&2
    exit 1
  }
  echo "## $suite against serve at $url/scim/v2"
  if ! bash "$suites/scim-conformance.sh" "$suite" "$url/scim/v2" "$SCIM_TOKEN"; then status=1; fi
  stop
done
exit $status

#!/usr/bin/env bash
# Runs Okta's and Microsoft's SCIM conformance suites against the SCIM inbound service, each on a fresh, empty store.
# Run from the project root: bash scripts/conformance-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${CONFORMANCE_DIR:-../shared/conformance}
export LOG_LEVEL=${LOG_LEVEL:-error}
token="conformance-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
status=0
pid=""
out=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
  [ -n "$out" ] && rm -f "$out"
  out=""
}
trap stop EXIT

for suite in okta microsoft; do
  out=$(mktemp)
  node --import tsx test/support/scim-server.ts --token "$token" >"$out" &
  pid=$!
  url=""
  for _ in $(seq 1 150); do
    url=$(sed -n 's/^SCIM_URL=//p' "$out")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$url" ]; then
    echo "conformance-serve: the SCIM server did not start" >&2
    exit 1
  fi
  echo "## $suite against $url"
  if ! bash "$suites/scim-conformance.sh" "$suite" "$url" "$token"; then status=1; fi
  stop
done
exit $status

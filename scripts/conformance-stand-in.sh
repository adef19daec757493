#!/usr/bin/env bash
# Runs Okta's and Microsoft's SCIM 2.0 conformance suites against the Heap stand-in, under each of its profiles
# (full: roles in SCIM; heap-documented: as Heap documents its SCIM), each run on a fresh, empty store (a new data
# folder and --reset), starting the stand-in through the real CLI on a free port.
#   scripts/conformance-stand-in.sh [okta] [microsoft]     (both by default)
# PROFILES="full heap-documented" (the default) picks the profiles. Exits non-zero when any suite fails.
# STAND_IN_CMD overrides how the CLI is started (e.g. the built bin).
set -euo pipefail
cd "$(dirname "$0")/.."
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy

conformance=${CONFORMANCE_DIR:-../shared/conformance}
read -r -a cli <<<"${STAND_IN_CMD:-node --import tsx src/cli/main.ts}"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(okta microsoft)
read -r -a profiles <<<"${PROFILES:-full heap-documented}"
export HEAP_SCIM_TOKEN="conformance-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"

work=$(mktemp -d)
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
}
trap 'stop; rm -rf "$work"' EXIT

failed=()
for profile in "${profiles[@]}"; do
for suite in "${suites[@]}"; do
  log="$work/$profile-$suite.log"
  "${cli[@]}" stand-in --port 0 --data "$work/$profile-$suite-data" --reset --profile "$profile" --log-level warn \
    >"$log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 1200); do # the CLI may take a while to start on a loaded machine: up to 120 s
    url=$(sed -n 's/^Heap stand-in listening on \(http:[^ ]*\) .*/\1/p' "$log")
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "the stand-in exited before listening" >&2
      exit 1
    fi
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$log" >&2; echo "the stand-in did not start within 120 s" >&2; exit 1; }
  echo "== $suite conformance against the Heap stand-in ($profile profile) at $url/scim/v2"
  if ! bash "$conformance/scim-conformance.sh" "$suite" "$url/scim/v2" "$HEAP_SCIM_TOKEN"; then
    failed+=("$suite/$profile")
  fi
  stop
done
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "Heap stand-in: conformance failed: ${failed[*]}" >&2
  exit 1
fi
echo "Heap stand-in: ${suites[*]} conformance passed under ${profiles[*]}"

#!/usr/bin/env bash
# PixelProof: one entry point for building, testing and measuring.
#
#   ./build.sh test     fmt check, clippy (warnings denied), every test tier;
#                       ends with one line "N passed, N failed"
#   ./build.sh bench    criterion benches for the core, HAR audit vs serde_json
#   ./build.sh fuzz     each cargo-fuzz target for a bounded time (FUZZ_SECONDS, default 60)
#   ./build.sh codes    the finding-code table (Markdown) from the rule registry
#
# Everything it needs is installed by the script itself on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

log() { printf '\n==> %s\n' "$*" >&2; }

ensure_rust_tools() {
  # rustfmt and clippy ship with the rustup toolchain; add them if a minimal profile left them out.
  if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  fi
}

# Sums "test result: ... N passed; M failed" lines of cargo test output.
TOTAL_PASSED=0
TOTAL_FAILED=0
count_cargo_results() {
  local file=$1 p f
  while read -r p f; do
    TOTAL_PASSED=$((TOTAL_PASSED + p))
    TOTAL_FAILED=$((TOTAL_FAILED + f))
  done < <(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$file")
}

cmd_test() {
  ensure_rust_tools
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy (warnings denied)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  log "tier 1: native tests (core + CLI)"
  local out
  out=$(mktemp)
  local status=0
  cargo test --workspace --locked 2>&1 | tee "$out" || status=$?
  count_cargo_results "$out"
  rm -f "$out"
  if [ "$status" -ne 0 ] && [ "$TOTAL_FAILED" -eq 0 ]; then
    # A build failure runs no test: count it as one failure so it cannot pass silently.
    TOTAL_FAILED=1
  fi
  echo
  echo "${TOTAL_PASSED} passed, ${TOTAL_FAILED} failed"
  [ "$TOTAL_FAILED" -eq 0 ]
}

cmd_bench() {
  log "criterion: decode, full evaluation, incremental add"
  cargo bench -p pixelproof-core --bench core --locked
  log "HAR audit vs bare serde_json parse (~100 MB HAR)"
  cargo bench -p pixelproof-cli --bench har_audit --locked
}

cmd_fuzz() {
  local secs=${FUZZ_SECONDS:-60}
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
  # cargo-fuzz wants nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them
  # (no second toolchain to download).
  for target in decode har capi order; do
    log "fuzz $target for ${secs}s"
    (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$secs" -rss_limit_mb=4096)
  done
}

cmd_codes() {
  cargo run -q -p pixelproof-cli --locked -- codes
}

case "${1:-test}" in
  test) cmd_test ;;
  bench) cmd_bench ;;
  fuzz) cmd_fuzz ;;
  codes) cmd_codes ;;
  *) echo "usage: ./build.sh [test|bench|fuzz|codes]" >&2; exit 2 ;;
esac

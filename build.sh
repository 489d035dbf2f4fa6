#!/usr/bin/env bash
# PixelProof: one entry point for building, testing and measuring.
#
#   ./build.sh [build]  the extension: dist/chrome, dist/chrome-test, dist/firefox, dist/firefox-test
#                       and a zip of each
#   ./build.sh demo     build, then play a test order on the bundled demo store in every scenario
#                       of its library (demo/scenarios.mjs: real store setups, each with its
#                       expected verdict and codes); prints the results and writes packets + panel
#                       screenshots (--list lists the scenarios without building; --scenario NAME
#                       plays one; --headed opens a real window when a display exists; --browser
#                       firefox plays it in Firefox)
#   ./build.sh test     fmt check, clippy (warnings denied), every test tier (native, the fuzz
#                       targets compiled, the extension's JS type-checked against the wasm
#                       declarations, then the extension in headless Chromium and headless
#                       Firefox); ends with one line "N passed, N failed" (a failed fmt, clippy,
#                       fuzz or tsc check counts as one)
#   ./build.sh bench    criterion benches for the core, HAR audit vs serde_json, the CLI's
#                       peak memory on a 200,000-hit HAR, the browser figures (page cost on
#                       a store-like page too: BENCH_DAWN=a Dawn checkout, else a clone is
#                       tried, else that page is skipped; BENCH_FBEVENTS/BENCH_FBCONFIG: Meta's
#                       pixel library, else a generated one of its size)
#   ./build.sh fuzz     each cargo-fuzz target for a bounded time (FUZZ_SECONDS, default 60)
#   ./build.sh codes    the finding-code table (Markdown) from the rule registry
#   ./build.sh soak     the journey property tests with 20,000 cases each (SOAK_CASES)
#
# It installs what it can itself (npm packages, rustup components and targets, Chromium) and
# checks up front for what it cannot: Rust (rustup, cargo), Node.js 20+ with npm, and openssl for
# the browser tests' throwaway certificate.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

# The wasm modules build.sh makes (crate output names), worker first.
WASM_MODULES="pixelproof_wasm pixelproof_panel"

# Each module's cargo profile (Cargo.toml) and wasm-opt level, chosen by
# measurement. The worker's module (pixelproof_wasm) has its core at "s" and
# its parsers at 3 (wasm-worker), then wasm-opt -Oz: a woken worker compiles
# each function on its first call (V8 compiles wasm lazily) and runs most of
# them once, so a woken worker's first badge (bench/wake-ab.mjs, builds side
# by side) came sooner with the core at "s" than at 3 or 2, and no later than
# at "z", though warm ingest (bench/ingest.mjs) is faster at 3. wasm-opt -O3
# was no faster than -Oz and left a larger module. The panel's module
# (wasm-panel) has its core and the journal's parsers at level 3 and its own UI
# code at "z", then -Oz: every open takes in the whole journal, and panel.html
# has the module fetched while its head is parsed, so its compile is off the
# opening's critical path and its ingest on it (PANEL_WASM_OPT sets another
# wasm-opt level, to measure it).
wasm_profile() { case "$1" in pixelproof_wasm) echo wasm-worker ;; *) echo wasm-panel ;; esac; }
wasm_opt_level() { case "$1" in pixelproof_panel) echo "${PANEL_WASM_OPT:--Oz}" ;; *) echo -Oz ;; esac; }

log() { printf '\n==> %s\n' "$*" >&2; }

# Checks for the tools a command needs and names every missing one with how to
# install it, instead of failing halfway with "command not found".
require_tools() {
  local missing=() tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  # web-ext (the zips, the Firefox lint) needs Node.js 20 or newer.
  if [[ " $* " == *" node "* ]] && command -v node >/dev/null 2>&1 &&
    ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
    missing+=("node>=20 (found $(node --version))")
  fi
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "build.sh: missing: ${missing[*]}" >&2
  for tool in "${missing[@]}"; do
    case "$tool" in
      cargo | rustup) echo "  Rust via rustup: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh; then . \"\$HOME/.cargo/env\"" ;;
      node* | npm) echo "  Node.js 20 or newer with npm: https://nodejs.org, or your distribution's nodejs and npm packages if they are 20+" ;;
      openssl) echo "  openssl (the browser tests make a throwaway TLS certificate with it): apt-get install openssl" ;;
    esac
  done | sort -u >&2
  exit 1
}

ensure_rust_tools() {
  # rustfmt and clippy ship with the rustup toolchain; add them if a minimal profile left them out.
  if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  fi
}

ensure_node_modules() {
  # Pinned by package-lock.json: wasm-opt (npm binaryen; Debian's binaryen 108 breaks
  # wasm-bindgen's externref table), playwright-core, puppeteer-core (drives Firefox over
  # WebDriver BiDi; neither downloads a browser), web-ext, marked, typescript (tsc) and
  # @types/chrome.
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    fi
  fi
}

ensure_firefox() {
  if [ ! -x /usr/bin/firefox-esr ]; then
    log "installing Debian's firefox-esr"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr
    fi
  fi
}

cmd_build() {
  require_tools cargo rustup node npm
  ensure_node_modules
  rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  # Two modules: the service worker loads pixelproof_wasm (crates/wasm: the
  # Session, redaction, what background.js asks the core), the panel loads
  # pixelproof_panel (crates/panel: the UI and its own session). Neither
  # carries the other's code.
  log "core → wasm (release): worker and panel modules, each with its own profile"
  cargo build -p pixelproof-wasm --target wasm32-unknown-unknown --profile "$(wasm_profile pixelproof_wasm)" --locked
  cargo build -p pixelproof-panel --target wasm32-unknown-unknown --profile "$(wasm_profile pixelproof_panel)" --locked
  log "wasm-bindgen (pinned via crates/bindgen-runner)"
  # A dev build: without the release profile's LTO it compiles several times
  # faster, and its slower run costs about a second a module (same output).
  cargo build -p pixelproof-bindgen --locked
  # Generated files sit where the extension's sources expect them (wasm/ next
  # to background.js), so tsconfig.json can lay target/ext over extension/.
  local gen=target/ext/wasm module
  rm -rf "$gen" && mkdir -p "$gen"
  for module in $WASM_MODULES; do
    target/debug/pixelproof-bindgen "target/wasm32-unknown-unknown/$(wasm_profile "$module")/$module.wasm" "$gen"
    log "wasm-opt $(wasm_opt_level "$module") $module"
    node_modules/.bin/wasm-opt "$(wasm_opt_level "$module")" --enable-reference-types --enable-bulk-memory --enable-sign-ext \
      --enable-mutable-globals --enable-nontrapping-float-to-int --enable-multivalue \
      "$gen/${module}_bg.wasm" -o "$gen/${module}_bg.wasm"
  done
  node tools/contract.mjs "$gen"
  # The page hook: its sources joined into the one classic script the page runs.
  node tools/page-hook.mjs target/ext/page-hook.js
  rm -rf dist && mkdir -p dist
  for variant in chrome chrome-test firefox firefox-test; do
    local out="dist/$variant"
    mkdir -p "$out/wasm"
    cp -r extension/. "$out/"
    rm -rf "$out/platform" "$out/page-hook" "$out/worker/doors-test.js" "$out/worker/doors-store.js"
    cp target/ext/page-hook.js "$out/page-hook.js"
    # The Firefox tests' control channel (see test-bridge.js): no other build carries it.
    [ "$variant" = firefox-test ] || rm -f "$out/test-bridge.js"
    # Test doors (the tests' and the demo's control messages, and the panel's
    # module in the worker for them) only in the test builds.
    case "$variant" in
      *-test) cp extension/worker/doors-test.js "$out/worker/doors.js" ;;
      *) cp extension/worker/doors-store.js "$out/worker/doors.js" ;;
    esac
    case "$variant" in
      firefox*) cp extension/platform/firefox.js "$out/platform.js" ;;
      *) cp extension/platform/chrome.js "$out/platform.js" ;;
    esac
    for module in $WASM_MODULES; do cp "$gen/$module.js" "$gen/${module}_bg.wasm" "$out/wasm/"; done
    cp "$gen/contract.js" "$out/wasm/"
    node tools/manifest.mjs "$variant" manifest.json "$out/manifest.json"
    node_modules/.bin/web-ext build --source-dir "$out" --artifacts-dir dist \
      --filename "pixelproof-$variant.zip" --overwrite-dest
  done
  local raw gz who
  for module in $WASM_MODULES; do
    raw=$(wc -c < "$gen/${module}_bg.wasm")
    gz=$(gzip -9 -c "$gen/${module}_bg.wasm" | wc -c)
    who=$([ "$module" = pixelproof_panel ] && echo panel || echo "service worker")
    echo "wasm $module ($who loads it): ${raw} bytes raw, ${gz} bytes gzip"
  done
  echo "chrome zip: $(wc -c < dist/pixelproof-chrome.zip) bytes"
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

# Runs a check that has no test count of its own and counts it as one pass or
# one failure, so a failure shows in the total without stopping the tiers after it.
count_check() {
  if "$@"; then TOTAL_PASSED=$((TOTAL_PASSED + 1)); else TOTAL_FAILED=$((TOTAL_FAILED + 1)); fi
}

cmd_test() {
  require_tools cargo rustup node npm openssl
  ensure_rust_tools
  log "cargo fmt --check"
  count_check cargo fmt --all -- --check
  log "cargo clippy (warnings denied)"
  count_check cargo clippy --workspace --all-targets --locked -- -D warnings
  log "tier 1: native tests (core + CLI)"
  local out
  out=$(mktemp)
  local status=0
  # The wasm-bindgen runner has no tests of its own: building it here would
  # compile wasm-bindgen's CLI library once more than the build below does.
  cargo test --workspace --exclude pixelproof-bindgen --locked 2>&1 | tee "$out" || status=$?
  # The core as the extension builds it (no multipart parser): its own unit tests.
  cargo test -p pixelproof-core --no-default-features --lib --locked 2>&1 | tee -a "$out" || status=$?
  count_cargo_results "$out"
  rm -f "$out"
  if [ "$status" -ne 0 ] && [ "$TOTAL_FAILED" -eq 0 ]; then
    # A build failure runs no test: count it as one failure so it cannot pass silently.
    TOTAL_FAILED=1
  fi
  # The fuzz targets are a separate cargo project nothing else builds: compile
  # them here so an API change in the core cannot leave them broken unnoticed.
  log "fuzz targets compile"
  # Without libFuzzer's C++ runtime (the fuzz crate's default feature, which
  # `cargo fuzz` keeps) and in the workspace's target folder, whose checked
  # dependencies it shares.
  count_check cargo check --manifest-path fuzz/Cargo.toml --no-default-features --target-dir target --locked
  log "tier 3: the extension in headless Chromium and headless Firefox"
  ensure_chromium
  ensure_firefox
  cmd_build
  # The JS↔core contract: every extension file is // @ts-check'ed against the
  # .d.ts wasm-bindgen wrote for both modules (tsconfig.json says how).
  log "tsc --noEmit (the extension's JS against the wasm declarations)"
  count_check node_modules/.bin/tsc --noEmit -p tsconfig.json
  log "web-ext lint (Firefox build)"
  local lint=0
  node_modules/.bin/web-ext lint --source-dir dist/firefox --self-hosted --output text > target/web-ext-lint.txt 2>&1 || lint=$?
  cat target/web-ext-lint.txt | tail -20
  if [ "$lint" -eq 0 ]; then TOTAL_PASSED=$((TOTAL_PASSED + 1)); else TOTAL_FAILED=$((TOTAL_FAILED + 1)); fi
  out=$(mktemp)
  status=0
  # Two test files at a time: each starts its own server on a free port and its
  # own browser profile, and a browser test spends much of its time waiting for
  # pages, so a second file keeps the other core busy.
  node --test --test-concurrency=2 --test-reporter=tap tests/unit/ tests/e2e/ tests/firefox/ 2>&1 | tee "$out" || status=$?
  local p f
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -1)
  TOTAL_PASSED=$((TOTAL_PASSED + ${p:-0}))
  TOTAL_FAILED=$((TOTAL_FAILED + ${f:-0}))
  if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then TOTAL_FAILED=$((TOTAL_FAILED + 1)); fi
  rm -f "$out"
  echo
  echo "${TOTAL_PASSED} passed, ${TOTAL_FAILED} failed"
  [ "$TOTAL_FAILED" -eq 0 ]
}

cmd_bench() {
  require_tools cargo rustup node npm openssl
  log "criterion: decode, journal read, full evaluation, incremental add"
  cargo bench -p pixelproof-core --bench core --locked
  log "HAR audit vs bare serde_json parse (~100 MB HAR)"
  cargo bench -p pixelproof-cli --bench har_audit --locked
  log "CLI peak memory on a 200,000-hit HAR, per output format"
  cargo bench -p pixelproof-cli --bench har_memory --locked
  log "browser: page cost, panel latency, 10,000-hit journey, size"
  ensure_chromium
  cmd_build
  node bench/browser.mjs
  log "ingest in V8: the extension's wasm vs Omnibug's decoder (OMNIBUG_DIR: its src/providers; else PixelProof alone)"
  node bench/ingest.mjs
  log "the worker's redaction: every record's JSON through the core"
  node bench/redaction.mjs
  log "summary → docs/benchmarks.md"
  node bench/report.mjs
}

cmd_fuzz() {
  require_tools cargo
  local secs=${FUZZ_SECONDS:-60}
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
  # cargo-fuzz wants nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them
  # (no second toolchain to download).
  for target in decode har capi order journal; do
    log "fuzz $target for ${secs}s"
    (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$secs" -rss_limit_mb=4096)
  done
}

cmd_demo() {
  # --list only reads the scenario library: no build, no browser.
  case " $* " in *" --list "*) require_tools node; node demo/run.mjs --list; return ;; esac
  require_tools cargo rustup node npm openssl
  case " $* " in
    *" --browser firefox "*) ensure_firefox ;;
    *) ensure_chromium ;;
  esac
  cmd_build
  node demo/run.mjs "$@"
}

# The long runs that do not fit in the test command: the journey property tests
# (incremental results equal a full re-run; page records never remove doubt)
# with many more random cases (SOAK_CASES, default 20,000).
cmd_soak() {
  require_tools cargo
  log "property tests, ${SOAK_CASES:-20000} cases each"
  PROPTEST_CASES=${SOAK_CASES:-20000} cargo test --release -p pixelproof-core --test props --locked
}

cmd_codes() {
  require_tools cargo
  cargo run -q -p pixelproof-cli --locked -- codes
}

case "${1:-build}" in
  build) cmd_build ;;
  demo) shift; cmd_demo "$@" ;;
  test) cmd_test ;;
  bench) cmd_bench ;;
  fuzz) cmd_fuzz ;;
  codes) cmd_codes ;;
  soak) cmd_soak ;;
  *) echo "usage: ./build.sh [build|demo [--list] [--scenario NAME] [--headed] [--browser firefox]|test|bench|fuzz|codes|soak]" >&2; exit 2 ;;
esac

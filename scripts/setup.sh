# shellcheck shell=bash
# Shared set-up for ./run and ./test: source this file, then call `distlab_setup` (add `--browser`
# for Chromium and ChromeDriver). Every step checks what is already there first, so a second run
# takes seconds; a fresh machine installs everything from crates.io, npm and Debian (the only
# registries this project may reach), never from GitHub.
#
# Pinned versions (keep in step with Trunk.toml, Cargo.toml and tests/e2e/package.json):
#   trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli 0.2.130 (= wasm-bindgen in
#   Cargo.lock), wasm-opt version_132 (npm package binaryen, local to tests/e2e).

DISTLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DISTLAB_E2E="$DISTLAB_ROOT/tests/e2e"
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="0.2.130"
WASM_OPT_VERSION="132"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# cargo-installed tools and the npm-installed wasm-opt come first on PATH.
export PATH="$HOME/.cargo/bin:$DISTLAB_E2E/node_modules/.bin:$PATH"

distlab_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
distlab_err() { printf '\033[1;31mERROR: %s\033[0m\n' "$*" >&2; }

distlab_need_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    distlab_err "need root to run: $*"
    return 1
  fi
}

# Debian packages, installed only when the given command is missing.
distlab_apt_install() {
  distlab_log "apt-get install $*"
  distlab_need_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    distlab_need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

distlab_ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
    distlab_err "cargo and rustup are needed (https://rustup.rs); none found on PATH"
    return 1
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'; then
    distlab_log "adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown || return 1
  fi
  local comp
  for comp in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$comp"; then
      distlab_log "adding the Rust component $comp"
      rustup component add "$comp" || return 1
    fi
  done
}

distlab_ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
    return 0
  fi
  distlab_log "installing trunk $TRUNK_VERSION (compiles from crates.io: about 9 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION" || return 1
  [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ] || {
    distlab_err "trunk --version does not say $TRUNK_VERSION after the install"
    return 1
  }
}

distlab_ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] &&
    command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    return 0
  fi
  # Not --locked: a dependency locked by that release has left the index.
  distlab_log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (2-4 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force || return 1
  [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] || {
    distlab_err "wasm-bindgen --version does not say $WASM_BINDGEN_VERSION after the install"
    return 1
  }
}

distlab_ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    return 0
  fi
  distlab_apt_install nodejs npm || return 1
}

# `npm ci` in tests/e2e (playwright-core and binaryen, pinned in package-lock.json), skipped while
# node_modules was installed from the same lock file.
distlab_ensure_npm() {
  distlab_ensure_node || return 1
  local stamp="$DISTLAB_E2E/node_modules/.distlab-lock"
  local want
  want="$(cat "$DISTLAB_E2E/package.json" "$DISTLAB_E2E/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    [ -e "$DISTLAB_E2E/node_modules/.bin/wasm-opt" ] &&
    [ -d "$DISTLAB_E2E/node_modules/playwright-core" ]; then
    return 0
  fi
  distlab_log "npm ci in tests/e2e (playwright-core, binaryen $WASM_OPT_VERSION)"
  (cd "$DISTLAB_E2E" && npm ci --no-audit --no-fund) || return 1
  printf '%s\n' "$want" >"$stamp"
}

distlab_ensure_wasm_opt() {
  distlab_ensure_npm || return 1
  local v
  v="$(wasm-opt --version 2>/dev/null)"
  case "$v" in
    *"version $WASM_OPT_VERSION"*) return 0 ;;
  esac
  distlab_err "wasm-opt on PATH is '$v' ($(command -v wasm-opt)), expected version $WASM_OPT_VERSION"
  return 1
}

# A font with Chinese glyphs, so that screenshots of the 中文 interface show text, not boxes.
distlab_has_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]
}

distlab_ensure_browser() {
  if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] && distlab_has_cjk_font; then
    return 0
  fi
  distlab_apt_install chromium chromium-driver fonts-noto-cjk || return 1
  [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] || {
    distlab_err "chromium or chromedriver still missing after apt-get install"
    return 1
  }
}

# Trunk.toml builds with `offline = true`, so every crate must be in the local cache first.
distlab_fetch_crates() {
  (cd "$DISTLAB_ROOT" && cargo fetch --quiet)
}

# distlab_setup [--browser]
distlab_setup() {
  local browser=0
  [ "${1:-}" = "--browser" ] && browser=1
  local t0=$SECONDS
  distlab_ensure_rust || return 1
  distlab_ensure_wasm_bindgen || return 1
  distlab_ensure_trunk || return 1
  distlab_ensure_wasm_opt || return 1
  if [ "$browser" = 1 ]; then
    distlab_ensure_browser || return 1
  fi
  distlab_fetch_crates || return 1
  distlab_log "set-up ready in $((SECONDS - t0)) s: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | head -n1)"
}

#!/usr/bin/env bash
# Release builds of the eduaid program for a county's PCs, each zipped with
# the clerk's walkthrough in Chinese (docs/使用说明.html) and the licences:
#
#   dist/eduaid-<version>-windows-x86_64.zip   eduaid.exe (x86_64-pc-windows-gnu, mingw-w64)
#   dist/eduaid-<version>-linux-x86_64.zip     eduaid     (x86_64-unknown-linux-gnu)
#
#   scripts/release.sh [--only linux|windows] [--out DIR]
#
# The programs are stripped of symbols and debug information (the workspace's
# release profile keeps line tables for profiling; a clerk's copy need not):
# CARGO_PROFILE_RELEASE_STRIP=symbols, CARGO_PROFILE_RELEASE_DEBUG=false.
#
# Each program is one file: the national catalogue, the provincial and county
# overlays, the report template and the CJK font subset are compiled in, and
# SQLite (eduaid serve, import) is bundled. The Windows one is cross-built
# here with mingw-w64 from the system packages (Debian/Ubuntu:
# gcc-mingw-w64-x86-64) and the rustup target x86_64-pc-windows-gnu, which
# this script installs if missing (apt-get needs root). .cargo/config.toml
# names the linker.
set -euo pipefail
cd "$(dirname "$0")/.."

only=""
out="dist"
export CARGO_PROFILE_RELEASE_STRIP=symbols CARGO_PROFILE_RELEASE_DEBUG=false
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# One zip: the program, 使用说明.html, the licences, in a folder of its name.
package() { # name binary
  local name="$1" binary="$2"
  local stage
  stage=$(mktemp -d)
  mkdir "$stage/$name"
  cp "$binary" "$stage/$name/"
  cp "docs/使用说明.html" LICENSE-MIT LICENSE-APACHE "$stage/$name/"
  # The walkthrough's screenshots of the workbench (docs/img, made by the
  # browser test crates/cli/tests/serve_browser.rs).
  mkdir "$stage/$name/img"
  cp docs/img/*.png "$stage/$name/img/"
  rm -f "$out/$name.zip"
  # Python's zipfile marks the names as UTF-8 (flag bit 11), so that
  # Windows shows 使用说明.html, not mojibake.
  (cd "$stage" && python3 - "$out/$name.zip" "$name" <<'PY'
import os, sys, zipfile
dest, top = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            z.write(os.path.join(root, f))
PY
  )
  rm -rf "$stage"
  echo "$out/$name.zip: $(stat -c %s "$out/$name.zip") bytes"
  python3 -m zipfile -l "$out/$name.zip"
}

if [ "$only" != "windows" ]; then
  echo "=== Linux (x86_64-unknown-linux-gnu)"
  cargo build -p eduaid-cli --release --target x86_64-unknown-linux-gnu
  bin="$target_dir/x86_64-unknown-linux-gnu/release/eduaid"
  "$bin" --version
  package "eduaid-$version-linux-x86_64" "$bin"
fi

if [ "$only" != "linux" ]; then
  echo "=== Windows (x86_64-pc-windows-gnu)"
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64
  fi
  if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
    rustup target add x86_64-pc-windows-gnu
  fi
  cargo build -p eduaid-cli --release --target x86_64-pc-windows-gnu
  exe="$target_dir/x86_64-pc-windows-gnu/release/eduaid.exe"
  file "$exe" 2>/dev/null || true
  package "eduaid-$version-windows-x86_64" "$exe"
fi

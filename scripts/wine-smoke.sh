#!/usr/bin/env bash
# Runs the Windows program (eduaid.exe) under Wine as a clerk would run it
# on a county PC: the version, then the sample county written and evaluated
# with Chinese paths and Chinese output, an entitlement workbook written.
# Fails if any step fails or prints no Chinese.
#
#   scripts/wine-smoke.sh [EXE]   (default: target/x86_64-pc-windows-gnu/debug/eduaid.exe)
#
# Needs wine64 (Debian: wine64; installed by .ci/run) and mingw-w64. Debian
# 12's Wine 8 lacks bcryptprimitives.dll (ProcessPrng, which Rust's standard
# library has used for random numbers since 1.78; every Windows 10 and 11 has
# it), so a stand-in calling RtlGenRandom is built with mingw-w64 and put
# beside the program. It is a test fixture for Wine only, never shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
exe="${1:-${CARGO_TARGET_DIR:-target}/x86_64-pc-windows-gnu/debug/eduaid.exe}"
wine=$(command -v wine64 || ls /usr/lib/wine/wine64 2>/dev/null || true)
if [ -z "$wine" ]; then
  echo "wine-smoke: wine64 is not installed" >&2
  exit 1
fi
work=$(mktemp -d)
wineserver=$(command -v wineserver || ls /usr/lib/wine/wineserver 2>/dev/null || echo true)
# Wine's server keeps the prefix open for a few seconds after the last program.
trap 'WINEPREFIX="$work/prefix" "$wineserver" -k >/dev/null 2>&1 || true; sleep 1; rm -rf "$work"' EXIT
cat > "$work/bcp.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n; len -= n;
  }
  return TRUE;
}
C
x86_64-w64-mingw32-gcc -shared -o "$work/bcryptprimitives.dll" "$work/bcp.c" -ladvapi32 -Wl,--kill-at
cp "$exe" "$work/eduaid.exe"
export WINEDEBUG=-all WINEPREFIX="$work/prefix" LC_ALL=C.UTF-8
run() { (cd "$work" && "$wine" ./eduaid.exe "$@"); }
# Create the prefix first, so that its messages stay out of the outputs.
"$wine" wineboot --init >/dev/null 2>&1 || true

echo "--- eduaid.exe --version"
run --version | tee "$work/out.txt"
grep -q '^eduaid ' "$work/out.txt"

echo "--- eduaid.exe --lang zh sample --out 示范县 --students 3000"
run --lang zh sample --out 示范县 --students 3000 >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; exit 1; }
tail -3 "$work/out.txt"
test -s "$work/示范县/students.csv"

echo "--- eduaid.exe --lang zh evaluate --data 示范县 --term 2017年春季学期 --out 结果\\应助名单.xlsx"
run --lang zh evaluate --data 示范县 --term 2017年春季学期 --out '结果\应助名单.xlsx' >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; exit 1; }
head -8 "$work/out.txt"
grep -q '现金（打卡发放）' "$work/out.txt"
test -s "$work/结果/应助名单.xlsx"
echo "wine-smoke: eduaid.exe ran the clerk's first steps under Wine"

#!/usr/bin/env bash
# The engine beside the hand-written baseline on the anchors roster (issue 12).
#
#   scripts/anchors.sh [--students N] [--rounds R] [--work DIR] [--anchors DIR]
#
# Builds the baseline (shared/bench/anchors/baseline, copied to DIR/baseline, its
# own target dir; nothing is written into the repository), generates the roster
# (gen_roster.py, seed 42), converts it three ways (realistic; --adversarial leave;
# --adversarial schools, whose anchors-format copy the baseline reads), then, in
# one run, alternates R rounds of: the baseline (its median of 5 repeats) and the
# engine (benches/anchors.rs with EDUAID_ANCHORS_ROUNDS=5: medians of 5 runs
# each), and prints per roster the medians over the rounds in ns per student and
# the ratios, and the load times (CSV to roster) beside the baseline's. Also prints
# what else was running (the load average) before and after.
#
# Needs python3 and cargo. Defaults: N=1000000, R=3, DIR=target/anchors,
# anchors folder ../shared/bench/anchors beside the repository.
# EDUAID_ANCHORS_BENCH=BINARY runs that build of the bench instead of
# building this checkout's (before/after comparisons in one session).
set -euo pipefail

students=1000000
rounds=3
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$repo/target/anchors"
anchors="$repo/../shared/bench/anchors"
while [ $# -gt 0 ]; do
    case "$1" in
        --students) students="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --anchors) anchors="$2"; shift 2 ;;
        *) echo "usage: $0 [--students N] [--rounds R] [--work DIR] [--anchors DIR]" >&2; exit 2 ;;
    esac
done
if [ ! -f "$anchors/gen_roster.py" ]; then
    echo "anchors.sh: no $anchors/gen_roster.py (pass --anchors DIR)" >&2
    exit 1
fi
anchors="$(cd "$anchors" && pwd)"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"

# The baseline, built outside the repository (again only if its sources
# changed since the last run in DIR).
baseline="$work/baseline/target/release/anchors-baseline"
if [ ! -x "$baseline" ] || ! diff -rq "$anchors/baseline/src" "$work/baseline/src" >/dev/null 2>&1 \
    || ! cmp -s "$anchors/baseline/Cargo.toml" "$work/baseline/Cargo.toml"; then
    rm -rf "$work/baseline"
    cp -r "$anchors/baseline" "$work/baseline"
    (cd "$work/baseline" && CARGO_TARGET_DIR="$work/baseline/target" cargo build --release --quiet)
fi

# The rosters.
data="$work/data-$students"
if [ ! -f "$data/raw/students.csv" ]; then
    python3 "$anchors/gen_roster.py" --students "$students" --seed 42 --out "$data/raw"
fi
sets="$work/sets-$students"
mkdir -p "$sets"
[ -f "$sets/realistic/students.csv" ] || python3 "$anchors/convert.py" --in "$data/raw" --out "$sets/realistic"
[ -f "$sets/leave/students.csv" ] || python3 "$anchors/convert.py" --in "$data/raw" --out "$sets/leave" --adversarial leave
[ -f "$sets/schools/students.csv" ] || python3 "$anchors/convert.py" --in "$data/raw" --out "$sets/schools" \
    --adversarial schools --anchors-out "$data/raw-schools"

# The engine's bench, built once (or the binary EDUAID_ANCHORS_BENCH names,
# e.g. a copy built from an earlier commit, to measure before and after in
# the same conditions).
cd "$repo"
if [ -n "${EDUAID_ANCHORS_BENCH:-}" ]; then
    bench="$EDUAID_ANCHORS_BENCH"
else
    cargo bench -p eduaid --bench anchors --no-run --quiet 2>/dev/null || cargo bench -p eduaid --bench anchors --no-run
    bench="$(cargo bench -p eduaid --bench anchors --no-run --message-format=json 2>/dev/null \
        | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "anchors" and m.get("executable"):
        print(m["executable"])')"
fi
echo "== engine bench: $bench"

# The engine's grand total must be the baseline's, on every roster (the bench checks).
total="$("$baseline" --roster "$data/raw" --repeat 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["all"])')"
echo "== baseline grand total: $total yuan"

results="$work/results-$students.jsonl"
: > "$results"
for r in $(seq 1 "$rounds"); do
    for name in realistic leave schools; do
        raw="$data/raw"
        [ "$name" = schools ] && raw="$data/raw-schools"
        b="$("$baseline" --roster "$raw" --repeat 5)"
        echo "{\"round\":$r,\"roster\":\"$name\",\"baseline\":$b}" >> "$results"
    done
    EDUAID_ANCHORS_DIR="$sets" EDUAID_ANCHORS_ROUNDS=5 EDUAID_ANCHORS_TOTAL="$total" "$bench" --bench 2>>"$work/bench-$students.log" \
        | sed "s/^{/{\"round\":$r,\"engine\":1,/" >> "$results"
done

echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
python3 - "$results" "$students" "$rounds" "$work/bench-$students.log" <<'PY'
import json, re, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
n, rounds = sys.argv[2], sys.argv[3]
# The engine's load times, from the bench's log of this run ("anchors: loaded DIR/NAME in S s").
loads = {}
try:
    for l in open(sys.argv[4]):
        m = re.match(r"anchors: loaded .*/(\w+) in ([0-9.]+) s", l)
        if m:
            loads.setdefault(m.group(1), []).append(float(m.group(2)))
except OSError:
    pass
print(f"anchors roster, {n} students, medians of {rounds} rounds (ns per student)")
print(f"{'roster':<10} {'baseline':>9} {'packed':>9} {'x':>6} {'stream':>9} {'x':>6} {'pack':>9} {'traces':>10} {'traces/stream':>14}")
for name in ["realistic", "leave", "schools"]:
    b = [r["baseline"]["per_student_ns"] for r in rows if r.get("roster") == name and "baseline" in r]
    e = [r for r in rows if r.get("engine") and r["roster"] == name]
    if not b or not e:
        continue
    med = lambda k: statistics.median(x[k] for x in e)
    bm, pk, st, pa, tr = statistics.median(b), med("packed_ns"), med("stream_ns"), med("pack_ns"), med("traces_ns")
    trs = f"{tr:>10.0f} {tr / st:>13.1f}x" if tr else f"{'-':>10} {'-':>14}"
    print(f"{name:<10} {bm:>9.1f} {pk:>9.1f} {pk / bm:>5.1f}x {st:>9.1f} {st / bm:>5.1f}x {pa:>9.1f} {trs}")
print(f"load, CSV -> roster (s, wall; medians; under load wall time is several times CPU time)")
for name in ["realistic", "leave", "schools"]:
    b = [r["baseline"]["load_s"] for r in rows if r.get("roster") == name and "baseline" in r]
    e = loads.get(name, [])
    if b and e:
        bm, em = statistics.median(b), statistics.median(e)
        print(f"{name:<10} {bm:>9.2f} {em:>9.2f} {em / bm:>5.1f}x")
PY

#!/usr/bin/env bash
# Hark next to its peers (Flowable, DBOS Transact), in one run on one machine: builds Hark's bench
# jar, copies the peers' benches out of --peers into a temporary folder and builds them there, prints
# a host-speed reference (CPU and fsync) before and after, runs each Hark job --runs times and each
# peer job once, back to back, then writes a markdown table (jobs x Hark / Flowable / DBOS, each figure
# with the command it came from) to stdout and, with --write-doc, into docs/PERFORMANCE.md between the
# side-by-side marker comments. Absolute figures compare only within one run: the table carries the
# date, the commit, the load average and the host reference of its own run.
#
#   bench/side-by-side.sh                          # the reference run (about 25-35 min on 2 cores)
#   bench/side-by-side.sh --hark-n 2000 --hark-warmup 2000 --peer-n 500 --peer-warmup 500 --runs 2   # a smoke run
#
# Options:
#   --peers DIR      the peers' benches (default: ../shared/peers from the repository root)
#   --peer-n N       N for Flowable and DBOS (default 10000, as their READMEs use)
#   --hark-n N       N for Hark's jobs (default 100000)
#   --runs R         runs of each Hark job; the table shows the median (default 3)
#   --hark-warmup W  warm-up size of every Hark bench (default: each bench's own, 10,000-30,000)
#   --peer-warmup W  warm-up size of both peers (default: theirs, Flowable 20,000 and DBOS 2,000)
#   --hark-xmx SIZE  heap of Hark's bench JVMs (default 4g; 8g for N = 1,000,000)
#   --skip LIST      comma-separated jobs to leave out: http,starts,timers,flowable,dbos
#   --out DIR        where raw outputs go (default: a new /tmp/hark-side-by-side.XXXXXX, kept)
#   --write-doc      also replace the generated table in docs/PERFORMANCE.md
#   --no-build       use the bench jar already in bench/target
#   --timeout S      give up on one job after S seconds (default 3600)
# Environment: JAVA (java for Hark and Flowable, default `java`); DBOS's run.sh picks its own Java 21+
# and reads PG_BIN (PostgreSQL 15 binaries), see the peer's README.
set -euo pipefail
# The whole script is one compound command, read before it runs: editing the file meanwhile is safe.
{

repo="$(cd "$(dirname "$0")/.." && pwd)"
peers="$repo/../shared/peers"
peer_n=10000
hark_n=100000
runs=3
hark_xmx=4g
hark_warmup=()
peer_warmup=()
skip=""
out=""
write_doc=""
build=1
job_timeout=3600
JAVA="${JAVA:-java}"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --peers|--peer-n|--hark-n|--runs|--hark-xmx|--hark-warmup|--peer-warmup|--skip|--out|--timeout)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; } ;;
  esac
  case "$1" in
    --peers) peers="$2"; shift 2 ;;
    --peer-n) peer_n="$2"; shift 2 ;;
    --hark-n) hark_n="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --hark-xmx) hark_xmx="$2"; shift 2 ;;
    --hark-warmup) hark_warmup=("-Dbench.warmup=$2"); shift 2 ;;
    --peer-warmup) peer_warmup=("-Dbench.warmup=$2"); shift 2 ;;
    --skip) skip=",$2,"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --write-doc) write_doc=1; shift ;;
    --no-build) build=""; shift ;;
    --timeout) job_timeout="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done
for v in "$peer_n" "$hark_n" "$runs" "$job_timeout"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "not a positive whole number: $v" >&2; exit 2; }
done
for job in ${skip//,/ }; do
  [[ " http starts timers flowable dbos " == *" $job "* ]] \
    || { echo "unknown job in --skip: $job (jobs: http,starts,timers,flowable,dbos)" >&2; exit 2; }
done
wanted() { [[ "$skip" != *",$1,"* ]]; }

if [ -z "$out" ]; then out="$(mktemp -d /tmp/hark-side-by-side.XXXXXX)"; else mkdir -p "$out"; fi
out="$(cd "$out" && pwd)"
work="$out/work"           # data folders and the peers' copies; removed at the end
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
log() { echo "[side-by-side $(date -u +%H:%M:%S)] $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

jar="$repo/bench/target/hark-bench.jar"
if [ -n "$build" ]; then
  log "building Hark's bench jar"
  (cd "$repo" && mvn -B -q -DskipTests package -pl bench -am) >&2
fi
[ -f "$jar" ] || { echo "missing $jar (build it, or drop --no-build)" >&2; exit 2; }

# One job: its command line goes first in its output file, so the table can name it.
# run_job FILE DIR COMMAND... (run in DIR)
run_job() {
  local file="$1" dir="$2"; shift 2
  local quoted; quoted="$(printf '%q ' "$@")"   # copy-pastable into a shell
  log "$(basename "$file" .txt): ${quoted% }  (load $(load1))"
  {
    echo "# command: ${quoted% }"
    echo "# dir: $dir"
    echo "# started: $(date -u +%Y-%m-%dT%H:%M:%SZ) load_avg_1m=$(load1)"
  } >"$file"
  local rc=0
  (cd "$dir" && timeout --signal=TERM --kill-after=60 "$job_timeout" "$@") >>"$file" 2>"${file%.txt}.err" || rc=$?
  echo "# ended: $(date -u +%Y-%m-%dT%H:%M:%SZ) load_avg_1m=$(load1) exit=$rc" >>"$file"
  [ $rc -eq 0 ] || log "$(basename "$file" .txt) failed (exit $rc); see ${file%.txt}.err"
}

host_reference() {
  run_job "$out/host-$1.txt" "$repo" "$JAVA" -cp "$jar" dev.hark.bench.HostReference "$work"
}

{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- runtime api workflow-api listeners-builtin bench 2>/dev/null || echo '+uncommitted')"
  echo "cores=$(nproc)"
  echo "java=$("$JAVA" -version 2>&1 | head -1)"
  echo "kernel=$(uname -r)"
  echo "hark_n=$hark_n"
  echo "peer_n=$peer_n"
  echo "runs=$runs"
  echo "load_avg_1m_start=$(load1)"
  echo "repo=$repo"
  echo "work=$work"
} >"$out/meta.txt"

# The peers are built from a copy: their folder may be read-only, and nothing of them belongs in
# this repository.
if wanted flowable || wanted dbos; then
  [ -d "$peers" ] || { echo "no peers folder $peers (--peers DIR)" >&2; exit 2; }
  for p in flowable-bench dbos-bench; do
    wanted "${p%-bench}" || continue
    cp -r "$peers/$p" "$work/$p"
    chmod -R u+w "$work/$p"
    log "building $p"
    (cd "$work/$p" && mvn -B -q package) >&2 || { echo "building $p failed" >&2; exit 1; }
  done
fi

host_reference before

for ((r = 1; r <= runs; r++)); do
  if wanted http; then
    run_job "$out/hark-http-$r.txt" "$repo" "$JAVA" "-Xms$hark_xmx" "-Xmx$hark_xmx" -XX:+AlwaysPreTouch \
      -Dio.netty.leakDetection.level=disabled ${hark_warmup[@]+"${hark_warmup[@]}"} "-Dbench.dir=$work/hark-http" \
      -cp "$jar" dev.hark.bench.HttpEventsBench "$hark_n" 64
  fi
  if wanted starts; then
    run_job "$out/hark-starts-$r.txt" "$repo" "$JAVA" "-Xmx$hark_xmx" "-Dbench.dir=$work/hark-starts" \
      ${hark_warmup[@]+"${hark_warmup[@]}"} \
      -Dbench.idleS=5 -jar "$jar" "$hark_n"
  fi
  if wanted timers; then
    run_job "$out/hark-timers-$r.txt" "$repo" "$JAVA" "-Xmx$hark_xmx" "-Dbench.dir=$work/hark-timers" \
      ${hark_warmup[@]+"${hark_warmup[@]}"} \
      -cp "$jar" dev.hark.bench.TimersBench "$hark_n"
  fi
done
rm -rf "$work"/hark-*

if wanted flowable; then
  # bench.dir: its default (/tmp/flowable-bench) is deleted first, which would be the copy itself
  # if it had been copied to /tmp as the peer's README says.
  run_job "$out/flowable.txt" "$work/flowable-bench" "$JAVA" -Xmx4g '-Dbench.h2opts=;WRITE_DELAY=0' \
    "-Dbench.dir=$work/flowable-db" ${peer_warmup[@]+"${peer_warmup[@]}"} -jar target/flowable-bench.jar "$peer_n"
  rm -rf "$work/flowable-db"
fi
if wanted dbos; then
  run_job "$out/dbos.txt" "$work/dbos-bench" ./run.sh "$peer_n" ${peer_warmup[@]+"${peer_warmup[@]}"}
fi

host_reference after
echo "load_avg_1m_end=$(load1)" >>"$out/meta.txt"

log "raw outputs in $out"
python3 "$repo/bench/side_by_side.py" "$out" ${write_doc:+--write-doc "$repo/docs/PERFORMANCE.md"}
exit
}

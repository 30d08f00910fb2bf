# Sourced by bench/runtime/run, bench/file/run and bench/tcp/run: the storms after the first
# against the same Apiary runtime (--storms N), and their line in the report. They use the
# harness's own storm, proc_cpu, wait_stable, sub, us, val and median, and its $storms and $logs.

# more_storms PID DIR COUNT...: with --storms N > 1, storms 2..N against the same tracer, each
# measured as the first (its CPU from before the storm until COUNT stops growing); prints
# " storms=N tracer_cpu_last=CPU got_last=EVENTS" for storm N (its own events), else nothing.
more_storms() {
  local pid=$1 dir=$2 k c0 before after cpu=- got=-; shift 2
  ((storms > 1)) || return 0
  before=$("$@")
  for ((k = 2; k <= storms; k++)); do
    c0=$(proc_cpu "$pid")
    storm "$dir/storm-traced-$k.out" >/dev/null
    after=$(wait_stable "$@")
    cpu=$(sub "$(proc_cpu "$pid")" "$c0"); got=$((after - before)); before=$after
  done
  echo " storms=$storms tracer_cpu_last=$cpu got_last=$got"
}

# report_last_storm UNIT EXPECTED: the report's line for Apiary's last storm, with --storms N > 1
report_last_storm() {
  ((storms > 1)) && grep -q '^apiary ' "$logs/results" || return 0
  local lc=() lg=() line
  while read -r line; do lc+=("$(us "$(val tracer_cpu_last <<<"$line")")"); lg+=("$(val got_last <<<"$line")"); done < <(grep '^apiary ' "$logs/results")
  printf '  apiary, storm %d of the same runtime: tracer %s us/%s (runs %s)  events %s of %s (runs %s)\n' "$storms" \
    "$(fmt=%.2f median "${lc[@]}")" "$1" "${lc[*]}" "$(fmt=%.0f median "${lg[@]}")" "$2" "${lg[*]}"
}

# ring_fill STATS TRACKER: " ring_peak_kb=P ring_kb=S" from an `apiary:stats --json` file: the
# most that waited in TRACKER's ring since the start (KiB) and the ring's size, for the rows of
# bench/suite that say whether anything was lost (how close the ring came to losing).
ring_fill() {
  jq -r --arg t "$2" '[.trackers[] | select(.tracker == $t)][0]
      | " ring_peak_kb=\(.ring_peak_bytes / 1024 | floor) ring_kb=\(.ring_bytes / 1024 | floor)"' "$1" 2>/dev/null \
    || echo " ring_peak_kb=- ring_kb=-"
}

# with_variant TOOL CMD...: runs CMD with $apiary_label set to TOOL. TOOL "apiary" is the
# installation as it is; "apiary-without-NAME" the same installation with the bundle
# apiary-NAME (bundles/*/apiary-NAME-*.jar, e.g. apiary-sink-report) set aside for CMD, so a
# sink's or a view's cost is measured against Apiary without it, in the same run, same AOT
# cache and home. The jar is put back when CMD ends, and by restore_variants on exit.
hidden_jars=()
with_variant() {
  local tool=$1 j rc=0; shift
  # A jar an interrupted run left set aside goes back first: "apiary" is the whole installation.
  for j in "$home"/bundles/*/*.jar.set-aside; do [[ -e $j ]] && mv "$j" "${j%.set-aside}"; done
  apiary_label=$tool
  if [[ $tool == apiary-without-* ]]; then
    local name=${tool#apiary-without-}
    local jars=("$home"/bundles/*/apiary-"$name"-*.jar)
    [[ -e ${jars[0]} ]] || die "$tool: no bundle apiary-$name-*.jar in $home/bundles"
    for j in "${jars[@]}"; do mv "$j" "$j.set-aside"; hidden_jars+=("$j"); done
  fi
  "$@" || rc=$?
  restore_variants
  apiary_label=apiary
  return $rc
}
restore_variants() {
  local j
  for j in "${hidden_jars[@]}"; do [[ -e $j.set-aside ]] && mv "$j.set-aside" "$j"; done
  hidden_jars=()
}
apiary_label=apiary

#!/bin/sh
# A short recovery campaign as a 4-task Slurm array plus the dependent merge
# job (scripts/slurm/submit), on the private cluster scripts/slurm/localcluster
# brings up around this script; the merged result must agree with a
# single-machine run of the same campaign (memharness merge --compare).
#   slurm_array_test.sh MEMHARNESS BUILD_DIR SOURCE_DIR
set -eu
mh=$1 build=$2 top=$3
shards=4 trials=12 limit=150

work=$(mktemp -d /tmp/mh-slurmtest-XXXXXX)
trap 'rm -rf "$work"' EXIT
say() { echo "slurm_array_test: $*"; }

# campaigns/recovery.json with a few trials: same workload, fault model and seed.
sed -e "s/\"trials\": [0-9]*/\"trials\": $trials/" -e 's/"name": "recovery"/"name": "recovery-slurm"/' \
  "$top/campaigns/recovery.json" >"$work/recovery-slurm.json"
grep -q "\"trials\": $trials" "$work/recovery-slurm.json" || { say "could not shorten recovery.json"; exit 1; }

now() { date +%s.%N; }
t0=$(now)
"$mh" run "$work/recovery-slurm.json" -o "$work/single.json" --jobs 2 --build-dir "$build" >"$work/single.log" 2>&1 ||
  { cat "$work/single.log"; say "the single-machine run failed"; exit 1; }
t1=$(now)

sh "$top/scripts/slurm/submit" -n "$shards" -r "$work/slurm" -b "$mh" -B "$build" "$work/recovery-slurm.json"
t2=$(now)
read -r ids <"$work/slurm/jobs"
array=${ids#shards=}
array=${array%% *}
merge=${ids##*merge=}

# The merge job ends the pipeline; its state says whether every step worked.
state=""
while :; do
  state=$(scontrol -o show job "$merge" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
  case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
  if awk -v a="$(now)" -v b="$t2" -v l="$limit" 'BEGIN { exit !(a - b > l) }'; then
    state="still $state after ${limit} s"
    break
  fi
  sleep 1
done
t3=$(now)
if [ "$state" != COMPLETED ]; then
  say "merge job $merge: $state"
  scontrol -o show job "$array" || true
  for f in "$work"/slurm/*.log; do echo "---- $f"; tail -n 15 "$f"; done
  exit 1
fi
cat "$work/slurm/merge.log"
"$mh" merge --compare "$work/single.json" "$work/slurm/recovery-slurm.json"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$shards" 'BEGIN {
  printf "slurm_array_test: wall time: single run --jobs 2: %.1f s; %d-shard array + merge (sbatch to merged): %.1f s\n", b - a, n, d - c }'

#!/bin/sh
# scripts/slurm/submit with a stand-in sbatch and scancel: an invalid
# campaign is refused before sbatch (exit 3), and a refused sbatch leaves
# no job and no results directory behind.
set -u
src=$1 mh=$2
tmp=$(mktemp -d /tmp/mh-submit-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
cat >"$tmp/bin/sbatch" <<'FAKE'
#!/bin/sh
n=$(cat "$FAKE_DIR/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo $n >"$FAKE_DIR/count"
if [ "$n" -ge "$FAKE_FAIL_AT" ]; then echo "sbatch: error: refused" >&2; exit 1; fi
echo "10$n"
FAKE
printf '#!/bin/sh\necho "$@" >>"$FAKE_DIR/cancelled"\n' >"$tmp/bin/scancel"
chmod +x "$tmp/bin/"*
export PATH="$tmp/bin:$PATH" FAKE_DIR="$tmp"
fail=0
check() { if [ "$1" != "$2" ]; then echo "FAIL: $3: got '$1', expected '$2'" >&2; fail=1; fi; }

echo '{"schema": 1, "name": "bad", "variants": ["native"], "workloads": [{"name": "w", "programme": "x"}]}' >"$tmp/bad.json"
FAKE_FAIL_AT=99 sh "$src/scripts/slurm/submit" -b "$mh" -r "$tmp/r0" "$tmp/bad.json" 2>"$tmp/err"
check $? 3 "invalid campaign: exit"
check "$(cat "$tmp/count" 2>/dev/null || echo 0)" 0 "invalid campaign: sbatch calls"
grep -q "programme: unknown key" "$tmp/err" || { echo "FAIL: no validation message" >&2; fail=1; }
[ ! -e "$tmp/r0" ] || { echo "FAIL: results dir made for an invalid campaign" >&2; fail=1; }

for at in 1 2; do
  rm -f "$tmp/count" "$tmp/cancelled"
  FAKE_FAIL_AT=$at sh "$src/scripts/slurm/submit" -b "$mh" -r "$tmp/r$at" "$src/campaigns/recovery.json" 2>"$tmp/err"
  check $? 1 "sbatch refusing call $at: exit"
  [ ! -e "$tmp/r$at" ] || { echo "FAIL: $tmp/r$at left behind (sbatch refused call $at)" >&2; fail=1; }
done
check "$(cat "$tmp/cancelled" 2>/dev/null)" "101" "merge refused: the shards job cancelled"
grep -q "were cancelled, nothing is left" "$tmp/err" || { echo "FAIL: no message" >&2; cat "$tmp/err" >&2; fail=1; }

rm -f "$tmp/count"
FAKE_FAIL_AT=99 sh "$src/scripts/slurm/submit" -b "$mh" -r "$tmp/ok" "$src/campaigns/recovery.json" >/dev/null
check $? 0 "accepted: exit"
check "$(cat "$tmp/ok/jobs")" "shards=101 merge=102" "accepted: jobs file"
[ $fail = 0 ] && echo "submit: ok"
exit $fail

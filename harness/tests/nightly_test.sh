#!/bin/sh
# scripts/nightly as cron runs it, with a fake memharness so it takes a
# second: one summary line, compare's verdict as the exit status, failures
# of the run reported as 3, and only the newest N results kept.
# usage: nightly_test.sh SOURCE_DIR
set -u
top=$1
tmp=$(mktemp -d /tmp/mh-nightly-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The fake answers run, compare and plot the way memharness does, steered by
# FAKE_RUN_RC, FAKE_CMP_RC and FAKE_VERDICT.
mkdir -p "$tmp/build/harness"
cat >"$tmp/build/harness/memharness" <<'EOF'
#!/bin/sh
cmd=$1
shift
case $cmd in
run) echo '{"fake": true}' >"$3"; exit "${FAKE_RUN_RC:-0}" ;;
compare) echo "a table"; echo "${FAKE_VERDICT:-no regression (threshold +2.0%): fake}"; exit "${FAKE_CMP_RC:-0}" ;;
plot) mkdir -p "$3" && echo png >"$3/fig.png" ;;
esac
EOF
chmod +x "$tmp/build/harness/memharness"
echo '{}' >"$tmp/base.json"
nightly() {
  BUILD_DIR=$tmp/build "$top/scripts/nightly" --no-build -o "$tmp/out" -b "$tmp/base.json" "$@"
}

# Two older results, each with log, table and figures.
mkdir -p "$tmp/out"
for d in 20200101T000000Z 20200102T000000Z; do
  for x in json log compare.txt; do echo old >"$tmp/out/nightly-$d.$x"; done
  mkdir "$tmp/out/nightly-$d.figures"
done

out=$(nightly -k 2)
rc=$?
[ "$rc" -eq 0 ] || fail "no regression exited $rc: $out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "more than one line: $out"
case $out in
"nightly "*": no regression (threshold +2.0%): fake; results $tmp/out/nightly-"*.json) ;;
*) fail "summary line: $out" ;;
esac
[ ! -e "$tmp/out/nightly-20200101T000000Z.json" ] || fail "oldest result not removed"
[ ! -e "$tmp/out/nightly-20200101T000000Z.figures" ] || fail "oldest figures not removed"
[ ! -e "$tmp/out/nightly-20200101T000000Z.log" ] || fail "oldest log not removed"
[ -e "$tmp/out/nightly-20200102T000000Z.json" ] || fail "second newest result removed"
n=$(find "$tmp/out" -name 'nightly-*.json' | wc -l)
[ "$n" -eq 2 ] || fail "kept $n results, want 2"
find "$tmp/out" -path '*nightly-2*.figures/fig.png' | grep -q . || fail "no figures"

out=$(FAKE_CMP_RC=1 FAKE_VERDICT="REGRESSION (threshold +2.0%): fake" nightly)
rc=$?
[ "$rc" -eq 1 ] || fail "regression exited $rc"
case $out in *": REGRESSION (threshold +2.0%): fake; results "*) ;; *) fail "summary: $out" ;; esac

out=$(FAKE_CMP_RC=2 FAKE_VERDICT="memharness compare: new.json: \$.schema: unsupported" nightly)
rc=$?
[ "$rc" -eq 2 ] || fail "incompatible exited $rc"
case $out in *"NOT COMPARED: memharness compare: new.json: \$.schema"*) ;; *) fail "summary: $out" ;; esac

out=$(FAKE_RUN_RC=1 nightly)
rc=$?
[ "$rc" -eq 0 ] || fail "a run not ok, no regression, exited $rc"
case $out in *"some runs NOT ok"*) ;; *) fail "summary: $out" ;; esac

out=$(FAKE_RUN_RC=4 nightly)
rc=$?
[ "$rc" -eq 3 ] || fail "a failed campaign exited $rc"
case $out in *"FAILED: memharness run exited 4"*) ;; *) fail "summary: $out" ;; esac

nightly -k 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "-k 0 accepted"
BUILD_DIR=$tmp/build "$top/scripts/nightly" --no-build -o "$tmp/out" -b "$tmp/none.json" \
  >/dev/null 2>&1
[ $? -eq 2 ] || fail "a missing baseline accepted"
echo "nightly_test: ok"

#!/bin/sh
# scripts/memharness runs memharness where it was called: a relative
# campaign path and -o mean what they mean in the caller's shell. The
# script is run from a copy of the tree whose setup, build and memharness
# are stand-ins (the stand-in prints its working directory and arguments).
set -eu
src=$1
tmp=$(mktemp -d /tmp/mh-wrapper-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/top/scripts" "$tmp/top/build/harness" "$tmp/caller/campaigns"
cp "$src/scripts/memharness" "$tmp/top/scripts/"
printf '#!/bin/sh\nexit 0\n' >"$tmp/top/scripts/setup"
printf '#!/bin/sh\nexit 0\n' >"$tmp/top/scripts/build"
cat >"$tmp/top/build/harness/memharness" <<'STUB'
#!/bin/sh
echo "cwd=$(pwd)"
for a in "$@"; do
  case $a in *.json) [ -f "$a" ] && echo "found $a" || echo "missing $a" ;; esac
done
STUB
chmod +x "$tmp/top/scripts/"* "$tmp/top/build/harness/memharness"
echo '{}' >"$tmp/caller/campaigns/c.json"
out=$(cd "$tmp/caller" && BUILD_DIR="$tmp/top/build" sh "$tmp/top/scripts/memharness" run campaigns/c.json)
echo "$out"
case $out in
*"cwd=$tmp/caller"*"found campaigns/c.json"*) echo "ok: relative to the caller" ;;
*) echo "FAIL: expected cwd=$tmp/caller and found campaigns/c.json" >&2; exit 1 ;;
esac

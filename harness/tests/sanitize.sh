#!/bin/sh
# harness_sanitize: memharness and its unit tests built again with
# -fsanitize=address,undefined (Debug, -Werror, every report fatal) in a
# harness-only sub-build, and those tests run there. QEMU and Slurm tests
# are left to the main build (their time is QEMU's, not harness code's).
set -eu
src=$1 bin=$2
cmake -S "$src" -B "$bin" -DCMAKE_BUILD_TYPE=Debug -DMH_SANITIZE=ON -DMH_HARNESS_ONLY=ON \
  >"$bin.configure.log" 2>&1 || { cat "$bin.configure.log"; exit 1; }
cmake --build "$bin" -j2 >"$bin.build.log" 2>&1 || { grep -E "error|Error" "$bin.build.log" | head -40; exit 1; }
cd "$bin"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
exec ctest -j2 -L harness -LE "qemu|slurm" --output-on-failure

#!/usr/bin/env bash
# Compiler launcher of the dogfood build (instrument.cmake): runs the compile command given as
# arguments and keeps the plugin's verbose report, the stderr lines starting "trace plugin:", in
# <object>.plugin.txt. Everything the compiler printed still goes to stderr.
set -uo pipefail
object=
previous=
for arg in "$@"; do
  [ "$previous" = -o ] && object=$arg
  previous=$arg
done
if [ -z "$object" ]; then
  exec "$@"
fi
"$@" 2>"$object.stderr"
status=$?
grep '^trace plugin:' "$object.stderr" >"$object.plugin.txt"
grep -v '^trace plugin:' "$object.stderr" >&2
rm -f "$object.stderr"
exit $status

#!/bin/sh
# Builds the benchmark variants, runs them and prints every figure next to its
# goal (issue 4). `bench/run.sh --quick` runs everything briefly (for CI: it
# never fails on a figure). See bench/run.py --help and docs/performance.md.
exec python3 "$(dirname "$0")/run.py" "$@"

#!/bin/sh
# The optimizer's task suite: see bench/tasks/README.md and `bench/tasks/run.sh --help`.
exec python3 "$(dirname "$0")/run.py" "$@"

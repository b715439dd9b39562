#!/usr/bin/env bash
# Prints the one table of a make soak or make chaos run from its test output (stdin): each
# test, pass or fail, and the figures it printed (its e2e: lines), in the order they ran.
set -euo pipefail
awk '
  /^e2e: / { sub(/^e2e: /, ""); figures = figures (figures ? "\n    " : "    ") $0; next }
  /^--- (PASS|FAIL): / {
    verdict = $2; name = $3
    printf "%-4s  %s\n", (verdict == "PASS:" ? "pass" : "FAIL"), name
    if (figures) print figures
    figures = ""
    if (verdict == "FAIL:") failed++
  }
  END {
    if (figures) print figures
    printf "\n%s\n", failed ? failed " failed" : "all passed"
    exit failed ? 1 : 0
  }'

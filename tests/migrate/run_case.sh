#!/usr/bin/env bash
# One golden case of `cutover migrate`: runs it in tests/migrate/CASE on lighttpd.conf and
# compares the config (expected.toml), the report (expected.report) and the exit code
# (expected.exit); the config must also pass `cutover check`. UPDATE=1 rewrites the files.
#   run_case.sh CUTOVER_BIN CASE_DIR
set -uo pipefail
BIN=$1
cd "$2" || exit 1
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
args=(migrate lighttpd.conf)
[ -f args ] && read -r -a extra < args && args+=("${extra[@]}")
"$BIN" "${args[@]}" >"$out" 2>"$err"
code=$?
if [ "${UPDATE:-0}" = 1 ]; then
  cp "$out" expected.toml; cp "$err" expected.report; echo "$code" > expected.exit
  exit 0
fi
fail=0
diff -u expected.toml "$out" || fail=1
diff -u expected.report "$err" || fail=1
[ "$code" = "$(cat expected.exit)" ] || { echo "exit $code, expected $(cat expected.exit)"; fail=1; }
if [ "$code" != 1 ]; then
  "$BIN" check --no-path-check -c "$out" >/dev/null || { echo "the translation does not pass cutover check"; fail=1; }
fi
exit $fail

#!/usr/bin/env bash
# Lints the repository's shell scripts with shellcheck and its GitHub Actions workflows with
# actionlint (which also runs shellcheck on their `run:` steps).
#
#   scripts/lint-shell.sh
#
# The scripts are the tracked and untracked, not ignored, files named *.sh or starting with a
# sh/bash shebang; .shellcheckrc holds the options. shellcheck comes from PATH (Debian package
# `shellcheck`), actionlint from PATH or scripts/toolchain/build.sh's cache. A missing tool is
# skipped with a warning on a developer's machine and fails the run in CI (CI=true).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=toolchain/versions.sh
source scripts/toolchain/versions.sh
PATH="$TOOLCHAIN_CACHE/actionlint-v$ACTIONLINT_VERSION/bin:$PATH"

missing=()
failed=0

shell_scripts() {
  local f
  while IFS= read -r -d '' f; do
    [[ -f "$f" ]] || continue
    if [[ "$f" == *.sh ]] || head -n1 "$f" | grep -qE '^#!.*[/ ](ba)?sh([[:space:]]|$)'; then
      printf '%s\n' "$f"
    fi
  done < <(
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
      git ls-files -z --cached --others --exclude-standard
    else
      find . -type f ! -path './.git/*' ! -path './node_modules/*' -print0
    fi
  )
}

if command -v shellcheck >/dev/null; then
  mapfile -t scripts < <(shell_scripts)
  echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#scripts[@]} scripts"
  shellcheck "${scripts[@]}" || failed=1
else
  missing+=("shellcheck is missing (install the Debian package: apt-get install shellcheck)")
fi

if command -v actionlint >/dev/null; then
  echo "actionlint $(actionlint -version | head -n1): .github/workflows"
  actionlint || failed=1
else
  missing+=("actionlint is missing (build it: scripts/toolchain/build.sh actionlint)")
fi

if (( ${#missing[@]} )); then
  for m in "${missing[@]}"; do
    if [[ "${CI:-}" == true ]]; then
      echo "lint-shell: ERROR: $m; CI runs every lint" >&2
    else
      echo "lint-shell: WARNING: $m; skipped" >&2
    fi
  done
  [[ "${CI:-}" == true ]] && failed=1
fi
exit "$failed"

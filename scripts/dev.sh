#!/usr/bin/env bash
# The main job for a new user: preview, deploy or destroy the dev stack with a local state backend
# (no Pulumi Cloud account) against the current kubeconfig context.
#
#   ./scripts/dev.sh preview            # pulumi preview --diff --stack dev
#   ./scripts/dev.sh up [--yes]         # pulumi up --diff --stack dev
#   ./scripts/dev.sh destroy [--yes]    # pulumi destroy --stack dev
#   ./scripts/dev.sh outputs            # pulumi stack output --stack dev
#   ./scripts/dev.sh help               # this text
#
# State lives in .pulumi-local/ (override with PULUMI_BACKEND_URL); the stack's secrets are
# encrypted with PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), which must be set:
# without it the script exits. Extra arguments go to pulumi.
set -euo pipefail

# The usage is this header, so the two can't drift: every comment line after the shebang.
usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

action="${1:-preview}"
shift || true
# Before any other check, so that help and a mistyped action change nothing.
case "$action" in
    preview | up | destroy | outputs) ;;
    help | -h | --help) usage; exit 0 ;;
    *) { echo "dev.sh: unknown action \"$action\""; echo; usage; } >&2; exit 2 ;;
esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/node.sh
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error

if ! command -v pulumi >/dev/null 2>&1; then
    # No CLI on PATH: use the one built from source (scripts/toolchain/build.sh), if built.
    source scripts/toolchain/env.sh
    if ! command -v pulumi >/dev/null 2>&1; then
        echo "dev.sh: no pulumi CLI on PATH. Install it (https://www.pulumi.com/docs/install/) or build it offline with scripts/toolchain/build.sh." >&2
        exit 1
    fi
fi

export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-local}"
if [[ "$PULUMI_BACKEND_URL" == file://* ]]; then mkdir -p "${PULUMI_BACKEND_URL#file://}"; fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    echo "dev.sh: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): it encrypts the dev stack's secrets." >&2
    exit 1
fi

pulumi stack select --create --secrets-provider passphrase dev >/dev/null
if ! pulumi config get anthropicApiKey --stack dev >/dev/null 2>&1; then
    echo "dev.sh: the dev stack needs its Anthropic API key first:" >&2
    echo "  PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL pulumi config set --secret --stack dev anthropicApiKey" >&2
    exit 1
fi

case "$action" in
    preview) exec pulumi preview --diff --stack dev "$@" ;;
    up) exec pulumi up --diff --stack dev "$@" ;;
    destroy) exec pulumi destroy --stack dev "$@" ;;
    outputs) exec pulumi stack output --stack dev "$@" ;;
esac

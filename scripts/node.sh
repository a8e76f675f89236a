# Sourced, not run: puts Node.js 22+ on PATH. The machine's Node is used when it is new enough;
# otherwise Node 24 LTS from the npm registry's `node` package (a real binary) is installed once
# into a cache outside the repository and put first on PATH.
# shellcheck shell=bash
llm_platform_node_version="24.21.0"
llm_platform_node_dir="${LLM_PLATFORM_CACHE:-$HOME/.cache/llm-platform}/node-${llm_platform_node_version}"

llm_platform_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(llm_platform_node_major)" -lt 22 ]; then
    if [ ! -x "$llm_platform_node_dir/node_modules/node/bin/node" ]; then
        echo "node.sh: Node $(node --version 2>/dev/null || echo none) is older than 22; installing Node ${llm_platform_node_version} into $llm_platform_node_dir" >&2
        mkdir -p "$llm_platform_node_dir"
        npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$llm_platform_node_dir" "node@${llm_platform_node_version}" >&2
    fi
    export PATH="$llm_platform_node_dir/node_modules/node/bin:$PATH"
fi
echo "node.sh: using Node $(node --version) at $(command -v node)" >&2

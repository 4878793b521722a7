#!/usr/bin/env bash
# The package as users get it: `npm pack`, then `npm install llmcore-<version>.tgz` into a new project
# outside the repository, so nothing can be found through the clone (a file left out of package.json's
# "files" fails here, as models/ once did). Then the installed command translates with the shipped
# model, runs the tour, and the API is imported from ESM.
#
# Needs dist/ built (npm ci's prepare does it). The tarball's dependencies come from npm's cache when
# `npm ci` has filled it, else from the npm registry (--prefer-offline): no other source.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
fail() { echo "check-package: $*" >&2; exit 1; }

[ -f dist/cli/main.js ] || fail "dist/cli/main.js is missing: build first (npm run build)"
work=$(mktemp -d "${TMPDIR:-/tmp}/llmcore-package-XXXXXX")
trap 'rm -rf "$work"' EXIT

# --ignore-scripts: dist/ is already built; prepare would only rebuild it (30 s on CI's 2 cores)
tgz=$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)
[ -f "$work/$tgz" ] || fail "npm pack wrote no tarball (it printed '$tgz')"
listing=$(tar -tzf "$work/$tgz")
for f in package/bin/llmcore.js package/dist/cli/main.js package/dist/src/index.js \
         package/models/zh-en/config.json package/models/zh-en/tokenizer.json package/models/zh-en/model.safetensors; do
  grep -qxF "$f" <<<"$listing" || fail "$tgz lacks ${f#package/} (see \"files\" in package.json)"
done
echo "check-package: $tgz: $(wc -l <<<"$listing") files, $(du -k "$work/$tgz" | cut -f1) KiB"

mkdir "$work/app"
cd "$work/app"
echo '{ "name": "llmcore-package-check", "version": "1.0.0", "private": true }' > package.json
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$work/$tgz" >/dev/null

got=$(npx --no-install llmcore translate 我正在吃饭)
[ "$got" = "I'm eating." ] || fail "npx llmcore translate 我正在吃饭 printed '$got', expected \"I'm eating.\""
echo "check-package: npx llmcore translate 我正在吃饭 → $got"

npx --no-install llmcore tour --json > tour.json
node -e '
  const r = JSON.parse(require("fs").readFileSync("tour.json", "utf8"));
  const want = ["linear", "iris", "lm", "sequenceClaims", "translate", "gpt", "vision"];
  const keys = Object.keys(r);
  if (want.some((k, i) => keys[i] !== k) || keys.length !== want.length) {
    console.error(`check-package: tour --json keys are ${keys.join(",")}, expected ${want.join(",")}`);
    process.exit(1);
  }
  for (const k of ["sequenceClaims", "gpt", "vision"]) {
    if (r[k].skipped) {
      console.error(`check-package: the tour skipped ${k} in the installed package: ${r[k].skipped}`);
      process.exit(1);
    }
  }
  if (r.translate.translation !== "I\x27m eating.") {
    console.error(`check-package: the tour translated 我正在吃饭 as ${JSON.stringify(r.translate.translation)}`);
    process.exit(1);
  }
'
echo "check-package: npx llmcore tour --json: linear, iris, lm, sequenceClaims, translate, gpt, vision"

cat > esm.mjs <<'EOF'
import { tensor, nn, optim, crossEntropy, manualSeed } from 'llmcore';
import { loadSafetensors } from 'llmcore/io/file';
manualSeed(0);
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
for (let step = 0; step < 300; step++) {
  opt.zeroGrad();
  crossEntropy(model.forward(x), [0, 1, 1, 0]).backward();
  opt.step();
}
const got = JSON.stringify(model.forward(x).argmax(-1).toArray());
if (got !== '[0,1,1,0]' || typeof loadSafetensors !== 'function') {
  console.error(`check-package: XOR through import 'llmcore' gave ${got}`);
  process.exit(1);
}
EOF
node esm.mjs
echo "check-package: import { tensor, nn, optim } from 'llmcore' trains XOR"
echo "check-package: ok in $((SECONDS - started)) s"

#!/usr/bin/env bash
# Fetch the query page's editor (YASQE) and result viewer (YASR) from the npm registry
# at the pinned versions and copy their built files, with their licences, into
# server/web/static/vendor/. The page loads them from this server: no CDN, no request
# to another host.
#
# To update: change a version below, run this script once with the new integrity left
# empty (it prints the registry's sha512), pin that integrity, run it again, then run
# the browser tests (tests/test_query_page.py, tests/test_site_pages.py) and commit the
# changed files together with this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# package  version  npm integrity (sha512 of the tarball, as `npm view PKG@VERSION dist.integrity` prints it)
PACKAGES=(
  "@triply/yasqe 4.2.28 sha512-5yLfgvrf9hRU3DFZvpuAOt4tZchw9u0cxBBPSCgDf5+AIKfgeO4WxaTZix+yu7aQhR8iDf1I1ewvQTXIiCUO6w=="
  "@triply/yasr 4.2.28 sha512-7EgOJX1/Xv1l9Sxu1S5Da/F+dG9hqANEfw/EJa6pbttkK+rQMN4Zv3paBD4dbHLwZGvybcupqCX7q7Ut+au8Bw=="
)
# What the page needs from each package's build/ (source maps stay out: 5 MB that
# only a developer's debugger would ask for), and the licence texts.
FILES="build/*.min.js build/*.min.css build/*.LICENSE.txt LICENSE.txt"
VENDOR=server/web/static/vendor

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for entry in "${PACKAGES[@]}"; do
  read -r name version integrity <<<"$entry"
  short=${name#*/}
  # npm pack fetches the tarball alone (the builds are bundled: no dependencies needed)
  # and checks it against the registry's integrity; the pin checks the registry.
  got=$(cd "$work" && npm pack --json "$name@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["integrity"])')
  if [ "$got" != "$integrity" ]; then
    echo "$name@$version: the registry's integrity is $got, the pinned one ${integrity:-(none)}" >&2
    exit 1
  fi
  mkdir -p "$work/$short"
  tar -xzf "$work"/triply-"$short"-"$version".tgz -C "$work/$short"
  rm -rf "${VENDOR:?}/$short"
  mkdir -p "$VENDOR/$short"
  (cd "$work/$short/package" && for pattern in $FILES; do for f in $pattern; do
     [ -e "$f" ] && cp "$f" "$OLDPWD/$VENDOR/$short/"; done; done)
  echo "$name $version" > "$VENDOR/$short/VERSION"
  echo "$name@$version -> $VENDOR/$short/: $(cd "$VENDOR/$short" && ls | tr '\n' ' ')"
done

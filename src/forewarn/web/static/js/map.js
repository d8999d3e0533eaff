// forewarn: the event map. Leaflet (served from /static/vendor, no tile server) draws Natural Earth's
// country borders (1:110m at first, 1:50m once zoomed in), the events of the page's data
// (#map-data: one row per grid cell and day) clustered by leaflet.markercluster so that clusters split
// as you zoom, labels of the places the events name most, a scale, and a time slider that filters the
// points by day. Zoomed in (level 5 and up), the first-level regions (oblasts, provinces, states) of the
// countries in view: their inner borders as thin lines above the land and below the events, and their
// names from level 6, each country's file (/static/vendor/admin1/<ISO3>.json, TopoJSON built by
// scripts/admin1.py from Natural Earth 1:10m) fetched once, when first needed. Nothing is fetched from
// another origin.
"use strict";
(() => {
  const holder = document.getElementById("map");
  const source = document.getElementById("map-data");
  if (!holder || !source || !window.L) return;
  const data = JSON.parse(source.textContent);
  const [w, s, e, n] = data.view;
  const map = L.map(holder, { minZoom: 2, maxZoom: 13, worldCopyJump: false, zoomSnap: 0.5,
                              maxBounds: [[-85, -200], [85, 200]] });
  map.fitBounds([[s, w], [n, e]]);
  L.control.scale({ imperial: false }).addTo(map);
  map.createPane("labels").classList.add("labels-pane");
map.createPane("regions").classList.add("regions-pane");
map.createPane("regionNames").classList.add("region-names-pane");
  window.forewarnMap = map; // for the browser tests

  // -- the basemap: countries from world-atlas (TopoJSON), finer when zoomed in --
  const borders = { coarse: null, fine: null, loading: false };
  const style = { color: "#8a8f98", weight: 0.8, fillColor: "#f6f3ec", fillOpacity: 1, interactive: false };
  function layerOf(topo) {
    return L.geoJSON(topojson.feature(topo, topo.objects.countries), { style });
  }
  function load(name) {
    return fetch("/static/vendor/" + name, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error(name + ": " + r.status);
      return r.json();
    });
  }
  load("countries-110m.json").then((topo) => {
    borders.coarse = layerOf(topo).addTo(map);
    borders.coarse.bringToBack();
    holder.dataset.borders = "110m";
    refine();
    regionsInView(); // after the land is drawn; nothing more unless the first view is already zoomed in
  }).catch((err) => { holder.dataset.borders = "failed"; console.error(err); });
  function refine() {
    if (map.getZoom() < 5 || borders.fine || borders.loading || !borders.coarse) return;
    borders.loading = true;
    load("countries-50m.json").then((topo) => {
      borders.fine = layerOf(topo);
      swap();
      holder.dataset.borders = "50m";
    }).catch((err) => console.error(err));
  }
  function swap() {
    if (!borders.fine || !borders.coarse) return;
    const fine = map.getZoom() >= 5;
    const [on, off] = fine ? [borders.fine, borders.coarse] : [borders.coarse, borders.fine];
    if (map.hasLayer(off)) map.removeLayer(off);
    if (!map.hasLayer(on)) { on.addTo(map); on.bringToBack(); }
  }
  map.on("zoomend", () => { refine(); swap(); labels(); });

  // -- first-level regions: an index of which country file covers which box, then the files in view --
  const REGIONS_FROM = 5, REGION_NAMES_FROM = 6;
  const regions = { index: null, asking: false, files: new Set(), names: [],
                    lines: L.layerGroup(), labels: L.layerGroup() };
  const regionStyle = { color: "#a59d90", weight: 0.7, dashArray: "4 3", interactive: false, pane: "regions" };
  function regionsInView() {
    const near = map.getZoom() >= REGIONS_FROM;
    for (const layer of [regions.lines, regions.labels]) {
      if (near && !map.hasLayer(layer)) layer.addTo(map);
      if (!near && map.hasLayer(layer)) map.removeLayer(layer);
    }
    if (!near) return;
    if (!regions.index) return askIndex();
    const view = map.getBounds();
    for (const [code, boxes] of Object.entries(regions.index)) {  // boxes: [[w, s, e, n], ...] where it has land
      if (regions.files.has(code) || !/^[A-Z][A-Z0-9]{2}$/.test(code) || !Array.isArray(boxes)) continue;
      if (!boxes.some((b) => view.intersects([[b[1], b[0]], [b[3], b[2]]]))) continue;
      regions.files.add(code);
      load("admin1/" + code + ".json").then((topo) => addRegions(code, topo)).catch((err) => console.error(err));
    }
    regionNames();
  }
  function askIndex() {
    if (regions.asking) return;
    regions.asking = true;
    load("admin1/index.json").then((index) => { regions.index = index; regionsInView(); })
      .catch((err) => { holder.dataset.regions = "failed"; console.error(err); });
  }
  function addRegions(code, topo) {
    const lines = topojson.feature(topo, topo.objects.borders);
    if (lines.geometry && lines.geometry.coordinates.length) L.geoJSON(lines, regionStyle).addTo(regions.lines);
    for (const f of topojson.feature(topo, topo.objects.labels).features) {
      const [lon, lat] = f.geometry.coordinates;
      regions.names.push([String(f.properties.name), lat, lon]);
    }
    holder.dataset.regions = [...(holder.dataset.regions || "").split(" ").filter(Boolean), code].sort().join(" ");
    regionNames();
  }
  function regionNames() {
    regions.labels.clearLayers();
    if (map.getZoom() < REGION_NAMES_FROM) return;
    const view = map.getBounds();
    for (const [name, lat, lon] of regions.names) {
      if (!view.contains([lat, lon])) continue;
      const el = document.createElement("span");
      el.textContent = name;
      L.marker([lat, lon], { pane: "regionNames", interactive: false, keyboard: false,
                             icon: L.divIcon({ html: el, className: "region-label", iconSize: null }) })
        .addTo(regions.labels);
    }
  }
  map.on("moveend", regionsInView);

  // -- events: one marker per cell and day, clustered; a cluster's number is the events it holds --
  const fmt = new Intl.NumberFormat("en");
  function icon(count, single) {
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    const el = document.createElement("div");
    const span = document.createElement("span");
    span.textContent = single && count === 1 ? "" : fmt.format(count);
    el.appendChild(span);
    return L.divIcon({ html: el, className: single && count === 1 ? "event-dot" : "marker-cluster marker-cluster-" + size,
                       iconSize: single && count === 1 ? L.point(12, 12) : L.point(36, 36) });
  }
  const clusters = L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 48, spiderfyOnMaxZoom: true, chunkedLoading: true,
    iconCreateFunction: (c) => icon(c.getAllChildMarkers().reduce((sum, m) => sum + m.options.count, 0), false),
  }).addTo(map);
  function popup(p) {
    const [lat, lon, day, count, href, label] = p;
    const box = document.createElement("div");
    const title = document.createElement("strong");
    title.textContent = count === 1 ? (label || "1 event") : fmt.format(count) + " events";
    box.appendChild(title);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(data.days[day]));
    box.appendChild(document.createElement("br"));
    const a = document.createElement("a");
    if (href) {
      a.href = href;
      a.textContent = "read the evidence";
    } else {
      const half = data.cell / 2;
      const q = new URLSearchParams(location.search);
      q.set("bbox", [lon - half, lat - half, lon + half, lat + half].map((v) => v.toFixed(4)).join(","));
      q.set("from", data.days[day]);
      q.set("to", data.days[day]);
      q.delete("scenario");
      a.href = "/events?" + q.toString();
      a.textContent = "list them";
    }
    box.appendChild(a);
    return box;
  }
  const markers = data.points.map((p) => L.marker([p[0], p[1]], { icon: icon(p[3], true), count: p[3], day: p[2] })
    .bindPopup(() => popup(p)));

  // -- the time slider: the days shown, labelled --
  const tools = document.querySelector(".map-tools");
  const from = document.getElementById("day-from");
  const to = document.getElementById("day-to");
  const label = document.getElementById("window-label");
  const last = Math.max(data.days.length - 1, 0);
  for (const input of [from, to]) { input.max = String(last); }
  from.value = "0";
  to.value = String(last);
  const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const day = (i) => data.days[i] ? dateFmt.format(new Date(data.days[i] + "T00:00:00Z")) : "—";
  function show() {
    let a = Number(from.value), b = Number(to.value);
    if (a > b) { [a, b] = [b, a]; }
    const shown = markers.filter((m) => m.options.day >= a && m.options.day <= b);
    clusters.clearLayers();
    clusters.addLayers(shown);
    const count = shown.reduce((sum, m) => sum + m.options.count, 0);
    label.textContent = day(a) + " – " + day(b) + " · " + fmt.format(count) + " event" + (count === 1 ? "" : "s");
    holder.dataset.shown = String(count);
  }
  from.addEventListener("input", show);
  to.addEventListener("input", show);
  if (tools) tools.hidden = false;
  show();

  // -- place labels: the places the events name most, more of them as you zoom in --
  const placeLayer = L.layerGroup().addTo(map);
  function labels() {
    placeLayer.clearLayers();
    const bounds = map.getBounds();
    const most = Math.max(6, Math.round(map.getZoom() * 4));
    let drawn = 0;
    for (const [name, lat, lon, count] of data.places) {
      if (drawn >= most) break;
      if (!bounds.contains([lat, lon])) continue;
      const el = document.createElement("span");
      el.textContent = name;
      el.title = name + ": " + fmt.format(count) + " events";
      L.marker([lat, lon], { pane: "labels", interactive: false, keyboard: false,
                             icon: L.divIcon({ html: el, className: "place-label", iconSize: null }) }).addTo(placeLayer);
      drawn += 1;
    }
  }
  map.on("moveend", labels);
  labels();
})();

// The lake map: asks the server for the viewport at the current zoom and draws
// what comes back: grid cells (counts) at low zoom, single points up close.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var status = document.getElementById("map-status");
  var form = document.getElementById("map-filters");
  var map = L.map("map", { preferCanvas: true, worldCopyJump: true }).setView([30, 0], 2);
  L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution }).addTo(map);
  var layer = L.layerGroup().addTo(map);
  var renderer = L.canvas({ padding: 0.2 });
  var pending = null;
  var fitted = false;

  function params() {
    var query = new URLSearchParams();
    query.set("bbox", map.getBounds().toBBoxString());
    query.set("zoom", String(map.getZoom()));
    ["start", "end", "device"].forEach(function (name) {
      var value = form.elements[name].value;
      if (value) { query.set(name, value); }
    });
    return query;
  }

  // Leaflet sets a string tooltip as innerHTML: whatever comes from the data goes in as text.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function radiusFor(count, max) {
    return 3 + 12 * Math.sqrt(count / max);
  }

  function draw(data) {
    layer.clearLayers();
    var features = data.features;
    if (data.mode === "grid") {
      var max = 1;
      features.forEach(function (f) { if (f[2] > max) { max = f[2]; } });
      features.forEach(function (f) {
        L.circleMarker([f[0], f[1]], {
          renderer: renderer, radius: radiusFor(f[2], max), weight: 1, color: "#1553a8",
          fillColor: "#3a7fdc", fillOpacity: 0.55
        }).bindTooltip(text(f[2].toLocaleString() + " points")).addTo(layer);
      });
      status.textContent = data.total.toLocaleString() + " points in view, in " + features.length +
        " cells. Zoom in to " + config.rawZoom + "+ to see single points.";
      status.className = "map-status muted";
    } else {
      features.forEach(function (f) {
        L.circleMarker([f[0], f[1]], {
          renderer: renderer, radius: 3, weight: 0, fillColor: "#cf222e", fillOpacity: 0.8
        }).bindTooltip(text(f[2])).addTo(layer);
      });
      if (data.truncated) {
        status.textContent = "Showing the first " + features.length.toLocaleString() +
          " points in view (the limit). Zoom in or narrow the dates to see the rest.";
        status.className = "map-status warn";
      } else {
        status.textContent = features.length.toLocaleString() + " points in view.";
        status.className = "map-status muted";
      }
    }
    document.getElementById("map").dataset.features = String(features.length);
    if (!fitted && data.mode === "grid" && features.length) {
      // First load: frame the data rather than the whole world.
      fitted = true;
      var bounds = L.latLngBounds(features.map(function (f) { return [f[0], f[1]]; }));
      map.fitBounds(bounds.pad(0.1), { maxZoom: 13 });
    } else if (!features.length) {
      status.textContent = "No points in this view: pan out, or change the filters.";
      status.className = "map-status muted";
    }
  }

  function load() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    status.textContent = "Loading…";
    fetch(config.dataUrl + "?" + params().toString(), { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (body) { throw new Error(JSON.stringify(body.errors || body)); });
        }
        return response.json();
      })
      .then(draw)
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        status.textContent = "Could not load the map data: " + error.message;
        status.className = "map-status error";
      });
  }

  map.on("moveend", load);
  form.addEventListener("submit", function (event) { event.preventDefault(); fitted = false; load(); });
  load();
})();

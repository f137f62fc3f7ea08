// The lake map: asks the server for the viewport at the current zoom and draws
// what comes back: grid cells (counts) at low zoom, single points up close.
// Over them, once, the sources' own layers (saved places…): one marker each,
// in a colour per layer; a marker with a day opens that day's page.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var status = document.getElementById("map-status");
  var form = document.getElementById("map-filters");
  var map = L.map("map", { preferCanvas: true, worldCopyJump: true }).setView([30, 0], 2);
  var baseNote = "";
  window.lakeBaseMap(map, config, function (note) { baseNote = note; setStatus(lastMessage, lastKind); });
  var layer = L.layerGroup().addTo(map);
  var renderer = L.canvas({ padding: 0.2 });
  var pending = null;
  var fitted = false;
  // The source layers' markers are SVG elements (each one hovered and clicked) in a
  // pane above the points' canvas; lake.css lets clicks through its empty space.
  map.createPane("sourceLayers");
  var layerRenderer = L.svg({ pane: "sourceLayers" });
  var LAYER_COLOURS = ["#8250df", "#e16f24", "#1a7f37", "#bf3989", "#0a7c86"];
  var POINTS_LABEL = "Location history";
  var POINTS_COLOUR = "#3a7fdc";
  var RAW_COLOUR = "#cf222e";
  var layerProblem = "";
  var lastMessage = "Loading…";
  var lastKind = "muted";
  var layerBounds = null;
  // The first view frames the points and the layers' markers together, once both answered.
  var firstPoints = null;
  var layersAnswered = false;

  function params() {
    var query = new URLSearchParams();
    if (fitted) {
      query.set("bbox", map.getBounds().toBBoxString());
      query.set("zoom", String(map.getZoom()));
    } else {
      // Not framed yet (the first answer, new filters): ask about the whole world in cells,
      // so the frame holds all the data the filters keep, not what the old view showed.
      query.set("bbox", "-180,-90,180,90");
      query.set("zoom", "2");
    }
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

  // The layers control sets a layer's name as innerHTML: names go in escaped.
  function escaped(value) {
    var div = document.createElement("div");
    div.textContent = value;
    return div.innerHTML;
  }

  // The points' messages, followed by what went wrong with the layers, if anything did.
  function setStatus(message, kind) {
    lastMessage = message;
    lastKind = kind;
    status.textContent = [message, layerProblem, baseNote].filter(Boolean).join(" ");
    // A layer's problem warns: the points' own message is still true.
    status.className = "map-status " + (layerProblem && kind !== "error" ? "warn" : kind);
  }

  function sentence(message) {
    message = String(message).trim();
    return /[.!?]$/.test(message) ? message : message + ".";
  }

  // What a failed answer says, as sentences: the form's messages, the error pages' "error", or its status.
  function failure(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      var messages = [];
      if (body && typeof body.error === "string") { messages.push(body.error); }
      if (body && body.errors && typeof body.errors === "object") {
        Object.keys(body.errors).forEach(function (field) {
          (body.errors[field] || []).forEach(function (item) {
            if (item && typeof item.message === "string") { messages.push(item.message); }
          });
        });
      }
      if (!messages.length) {
        messages.push(response.status === 401 ? "You are signed out: sign in again"
          : "The server answered " + response.status);
      }
      throw new Error(messages.map(sentence).join(" "));
    });
  }

  function reason(error) {
    // fetch rejects with a TypeError when there was no answer at all.
    return error instanceof TypeError ? "The server could not be reached." : sentence(error.message);
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
      setStatus(data.total.toLocaleString() + " points in view, in " + features.length +
        (features.length === 1 ? " cell" : " cells") + ". Zoom in to " + config.rawZoom + "+ to see single points.", "muted");
    } else {
      features.forEach(function (f) {
        L.circleMarker([f[0], f[1]], {
          renderer: renderer, radius: 3, weight: 0, fillColor: RAW_COLOUR, fillOpacity: 0.8
        }).bindTooltip(text(f[2])).addTo(layer);
      });
      if (data.truncated) {
        setStatus("Showing the first " + features.length.toLocaleString() +
          " points in view (the limit). Zoom in or narrow the dates to see the rest.", "warn");
      } else {
        setStatus(features.length.toLocaleString() + " points in view.", "muted");
      }
    }
    document.getElementById("map").dataset.features = String(features.length);
    pointsMode = data.mode === "grid" ? "grid" : "points";
    updatePointsLegend();
    var bounds = L.latLngBounds(features.map(function (f) { return [f[0], f[1]]; }));
    if (!features.length) {
      setStatus("No points in this view: pan out, or change the filters.", "muted");
    }
    if (firstPoints === null) {
      firstPoints = bounds;
      frameFirstView();
    } else if (!fitted) {
      // New filters: frame what they kept, wherever it is.
      fitted = true;
      frame(bounds);
    }
  }

  // Fit the view to `bounds` and load what it shows: moveend does that when the view moved; an
  // unmoved view (or no bounds) still holds the whole world's cells, so ask for the view itself.
  function frame(bounds) {
    var before = map.getCenter().toString() + "/" + map.getZoom();
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1), { maxZoom: 13, animate: false }); }
    if (before === map.getCenter().toString() + "/" + map.getZoom()) { load(); }
  }

  // Frame the data rather than the whole world: the points and the layers' markers.
  function frameFirstView() {
    if (fitted || firstPoints === null || !layersAnswered) { return; }
    fitted = true;
    var bounds = L.latLngBounds([]);
    if (firstPoints.isValid()) { bounds.extend(firstPoints); }
    if (layerBounds && layerBounds.isValid()) { bounds.extend(layerBounds); }
    frame(bounds);
  }

  function isDay(value) {
    return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
  }

  function tooltipFor(title, hintText) {
    var box = document.createElement("span");
    var name = document.createElement("strong");
    name.textContent = title;
    box.appendChild(name);
    if (hintText) {
      var hint = document.createElement("span");
      hint.className = "tooltip-hint";
      hint.textContent = hintText;
      box.appendChild(hint);
    }
    return box;
  }

  // A thing's own page in the lake (a photo's), as the server built it: a same-origin path only.
  function itemPage(value) {
    return typeof value === "string" && value.charAt(0) === "/" && value.charAt(1) !== "/" ? value : null;
  }

  function markerFor(marker, colour, className) {
    var day = isDay(marker[3]) ? marker[3] : null;
    var item = itemPage(marker[4]);
    var hint = item ? "Click to open it" + (day ? " (" + day + ")" : "") : day ? "Click to open " + day : "";
    var circle = L.circleMarker([marker[0], marker[1]], {
      renderer: layerRenderer, pane: "sourceLayers", radius: 7, weight: 2, color: "#ffffff", opacity: 1,
      fillColor: colour, fillOpacity: 0.95, className: className
    }).bindTooltip(tooltipFor(String(marker[2]), hint), { direction: "top", offset: [0, -6] });
    if (item) {
      circle.on("click", function () { window.location.assign(item); });
    } else if (day) {
      circle.on("click", function () { window.location.assign(config.dayUrl + encodeURIComponent(day) + "/"); });
    }
    return circle;
  }

  // A line: [[[lat, lng], ...], label, day-or-null], drawn like a marker (tooltip, click opens the day).
  function lineFor(line, colour, className) {
    var day = isDay(line[2]) ? line[2] : null;
    var path = L.polyline(line[0], {
      renderer: layerRenderer, pane: "sourceLayers", weight: 4, color: colour, opacity: 0.85, className: className
    }).bindTooltip(tooltipFor(String(line[1]), day), { sticky: true });
    if (day) {
      path.on("click", function () { window.location.assign(config.dayUrl + encodeURIComponent(day) + "/"); });
    }
    return path;
  }

  function legendRow(list, colour, label, note) {
    var row = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = "map-legend-swatch";
    // CSSOM, not a style attribute: the CSP allows it.
    swatch.style.backgroundColor = colour;
    row.appendChild(swatch);
    // One flex item for the words, so they wrap as a line of text.
    var words = document.createElement("span");
    words.textContent = label;
    if (note) {
      var small = document.createElement("span");
      small.className = "muted";
      small.textContent = " " + note;
      words.appendChild(small);
    }
    row.appendChild(words);
    list.appendChild(row);
    return row;
  }

  // The points' legend row says how they are drawn now: cells sized by count far out, dots up close.
  var pointsMode = "grid";
  function updatePointsLegend() {
    var row = document.getElementById("map-legend-points");
    if (!row) { return; }
    row.querySelector(".map-legend-swatch").style.backgroundColor = pointsMode === "grid" ? POINTS_COLOUR
      : RAW_COLOUR;
    row.querySelector(".muted").textContent = pointsMode === "grid"
      ? " (bigger circle, more points)"
      : " (one dot per point)";
  }

  function legendControl(layers) {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend leaflet-bar");
      box.id = "map-legend";
      var list = document.createElement("ul");
      legendRow(list, POINTS_COLOUR, POINTS_LABEL, " ").id = "map-legend-points";
      layers.forEach(function (entry) {
        var count = (entry.markers.length + entry.lines.length).toLocaleString();
        legendRow(list, entry.colour, entry.label, entry.truncated ? "(first " + count + ")" : "(" + count + ")");
      });
      box.appendChild(list);
      if (layers.length) {
        var hint = document.createElement("p");
        hint.className = "muted";
        hint.textContent = "Click a marker or a line to open its day.";
        box.appendChild(hint);
      }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return legend;
  }

  function drawLayers(body) {
    var overlays = {};
    overlays[escaped(POINTS_LABEL)] = layer;
    var drawn = [];
    var truncated = [];
    layerBounds = L.latLngBounds([]);
    (body.layers || []).forEach(function (source, index) {
      var colour = LAYER_COLOURS[index % LAYER_COLOURS.length];
      var name = String(source.name).replace(/[^a-z0-9_-]/gi, "");
      var group = L.featureGroup();
      source.markers.forEach(function (marker) {
        markerFor(marker, colour, "source-marker source-marker-" + name).addTo(group);
        layerBounds.extend([marker[0], marker[1]]);
      });
      (source.lines || []).forEach(function (line) {
        if (!Array.isArray(line[0]) || line[0].length < 2) { return; }
        lineFor(line, colour, "source-line source-line-" + name).addTo(group);
        line[0].forEach(function (point) { layerBounds.extend(point); });
      });
      group.addTo(map);
      overlays[escaped(source.label)] = group;
      drawn.push({ label: String(source.label), colour: colour, markers: source.markers,
                   lines: source.lines || [], truncated: source.truncated });
      if (source.truncated) { truncated.push(String(source.label)); }
    });
    var narrow = window.matchMedia("(max-width: 640px)").matches;
    L.control.layers(null, overlays, { collapsed: narrow, position: "topright" }).addTo(map);
    legendControl(drawn).addTo(map);
    updatePointsLegend();
    document.getElementById("map").dataset.layers = String(drawn.length);
    if (truncated.length) {
      layerProblem = "Only the first " + body.layers[0].max_markers.toLocaleString() + " markers or lines of " +
        truncated.join(", ") + " are shown.";
      setStatus(lastMessage, lastKind);
    }
    layersAnswered = true;
    frameFirstView();
  }

  function loadLayers() {
    fetch(config.layersUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : failure(response); })
      .then(drawLayers)
      .catch(function (error) {
        layerProblem = "Could not load the saved places and other layers: " + reason(error);
        setStatus(lastMessage, lastKind);
        legendControl([]).addTo(map);
        updatePointsLegend();
        layersAnswered = true;
        frameFirstView();
      });
  }

  function load() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    setStatus("Loading…", "muted");
    fetch(config.dataUrl + "?" + params().toString(), { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : failure(response); })
      .then(draw)
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        setStatus("Could not load the map data: " + reason(error), "error");
        // Refused filters keep the view where it is: the next pan asks about that view again.
        if (firstPoints !== null) { fitted = true; }
        if (firstPoints === null) {
          firstPoints = L.latLngBounds([]);
          frameFirstView();
        }
      });
  }

  map.on("moveend", load);
  form.addEventListener("submit", function (event) { event.preventDefault(); fitted = false; load(); });
  load();
  loadLayers();
})();

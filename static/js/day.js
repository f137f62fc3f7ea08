// The day's small map: the path of raw points, the trips, and the places visited.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("day-data").textContent);
  var map = L.map("day-map", { preferCanvas: true });
  // The base layer's note is for the map page; here the offline countries speak for themselves.
  window.lakeBaseMap(map, data, function () {});
  var bounds = L.latLngBounds([]);

  // Leaflet sets a string tooltip as innerHTML; a place name is the user's
  // imported text, so it goes in as a text node.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  if (data.path.length > 1) {
    var path = L.polyline(data.path, { color: "#7fb0ee", weight: 3, opacity: 0.9 }).addTo(map);
    bounds.extend(path.getBounds());
  }
  data.segments.forEach(function (waypoints) {
    if (waypoints.length > 1) {
      var line = L.polyline(waypoints, { color: "#1553a8", weight: 3, dashArray: "6 6" }).addTo(map);
      bounds.extend(line.getBounds());
    }
  });
  data.visits.forEach(function (visit) {
    L.circleMarker([visit[0], visit[1]], { radius: 7, color: "#cf222e", weight: 2, fillOpacity: 0.6 })
      .bindTooltip(text(visit[2])).addTo(map);
    bounds.extend([visit[0], visit[1]]);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.15), { maxZoom: 16 });
  } else {
    map.setView([30, 0], 2);
  }
  // The box can change size without a window resize (a scroll bar appearing as the
  // timeline grows, a font arriving): keep Leaflet's idea of it, and the centre, true.
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize(); }).observe(document.getElementById("day-map"));
  }
})();

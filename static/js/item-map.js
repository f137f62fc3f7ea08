// One thing's small map (a photo's place): a marker, the tiles around it.
(function () {
  "use strict";
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  var position = read("item-position");
  var map = L.map("item-map", { scrollWheelZoom: false }).setView(position, 15);
  L.tileLayer(read("item-tiles"), { maxZoom: 19, attribution: read("item-attribution") }).addTo(map);
  L.circleMarker(position, { radius: 8, color: "#ffffff", weight: 2, fillColor: "#cf222e", fillOpacity: 0.95 })
    .addTo(map);
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize(); }).observe(document.getElementById("item-map"));
  }
})();

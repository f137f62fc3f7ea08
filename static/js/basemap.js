// The maps' base layer: the configured tile server when it answers, else an offline
// map of the world's countries (Natural Earth, from npm's world-atlas, decoded by
// topojson-client), served by this site, so a lake with no internet still has land.
// window.lakeBaseMap(map, {tileUrl, attribution, offlineUrl}, onNote): onNote(sentence)
// says when and why the offline map is shown.
(function () {
  "use strict";
  // Tiles that neither load nor fail within this long count as unreachable: a
  // firewall that drops packets leaves requests pending far longer.
  var TILE_PATIENCE_MS = 4000;

  window.lakeBaseMap = function (map, config, onNote) {
    var offline = null;
    var settled = false;

    function showOffline(why) {
      if (settled) { return; }
      settled = true;
      map.getContainer().classList.add("map-offline");
      map.createPane("offlineBase");
      map.getPane("offlineBase").style.zIndex = "150";  // under the tiles' pane (200)
      fetch(config.offlineUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("answer " + response.status); }
          return response.json();
        })
        .then(function (topology) {
          var countries = topojson.feature(topology, topology.objects.countries);
          offline = L.geoJSON(countries, {
            pane: "offlineBase", renderer: L.svg({ pane: "offlineBase" }), interactive: false,
            style: { color: "#a39e8f", weight: 0.7, fillColor: "#efeadd", fillOpacity: 1 }
          }).addTo(map);
          map.attributionControl.addAttribution("Offline map: Natural Earth");
          map.getContainer().dataset.offlineBase = String(countries.features.length);
          onNote(why);
        })
        .catch(function () {
          onNote("The map tiles could not be reached and the offline map did not load either.");
        });
    }

    if (!config.tileUrl) {
      showOffline("No tile server is configured: showing the offline map of countries.");
      return;
    }
    var tiles = L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution }).addTo(map);
    var loaded = false;
    tiles.on("tileload", function () { loaded = true; settled = true; });
    tiles.on("tileerror", function () {
      if (loaded) { return; }  // one missing tile of a working server is not an outage
      map.removeLayer(tiles);
      showOffline("The map tiles could not be reached: showing the offline map of countries.");
    });
    window.setTimeout(function () {
      if (!loaded && !settled) {
        map.removeLayer(tiles);
        showOffline("The map tiles did not answer: showing the offline map of countries.");
      }
    }, TILE_PATIENCE_MS);
  };
})();

// Charts of the stats page, drawn with Chart.js from the JSON the page embeds.
(function () {
  "use strict";
  var stats = JSON.parse(document.getElementById("stats-data").textContent);
  var palette = ["#1f6feb", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#0969da", "#bf3989", "#57606a"];

  function stacked(id, series, unit) {
    var datasets = Object.keys(series).map(function (type, i) {
      return { label: type.toLowerCase().replace(/_/g, " "), data: series[type],
               backgroundColor: palette[i % palette.length] };
    });
    new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels: stats.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: unit } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  stacked("chart-distance", stats.distance_km, "km");
  stacked("chart-duration", stats.duration_h, "hours");
  new Chart(document.getElementById("chart-daily"), {
    type: "line",
    data: { labels: stats.daily.labels,
            datasets: [{ label: "points", data: stats.daily.points, borderColor: "#1f6feb",
                         pointRadius: 0, borderWidth: 1, fill: false }] },
    options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } }
  });
})();

// Trend charts of the health pages: Chart.js (from npm) over the samples the
// page embeds as JSON (#ops-series). Each <canvas data-series="a,b"
// data-format="ratio|bytes|count"> gets one line per named series; a dotted
// name ("storage.data") reaches into a nested object.
(function () {
  "use strict";
  const source = document.getElementById("ops-series");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colors = ["#1f6feb", "#cf222e", "#1a7f37", "#9a6700", "#8250df"];
  const names = {
    pg_hit: "PostgreSQL", redis_hit: "Redis", queue_depth: "waiting", failed: "failed", db_bytes: "database",
    dead_tuples: "dead tuples", redis_memory: "Redis memory", workers: "workers", connections: "connections",
  };

  function pick(path) {
    return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), data) || [];
  }

  function formatter(format) {
    if (format === "ratio") return (v) => (v == null ? "" : (v * 100).toFixed(1) + " %");
    if (format === "bytes") {
      return (v) => {
        const units = ["B", "kB", "MB", "GB", "TB"];
        let i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
        return v.toFixed(i ? 1 : 0) + " " + units[i];
      };
    }
    return (v) => (v == null ? "" : Number(v).toLocaleString());
  }

  const labels = data.labels.map((iso) => {
    const when = new Date(iso);
    return when.toISOString().slice(11, 16);
  });

  document.querySelectorAll("canvas[data-series]").forEach((canvas) => {
    const format = canvas.dataset.format;
    const datasets = canvas.dataset.series.split(",").map((path, i) => ({
      label: names[path] || path.split(".").pop(),
      data: pick(path),
      borderColor: colors[i % colors.length],
      backgroundColor: colors[i % colors.length],
      pointRadius: data.labels.length > 40 ? 0 : 2,
      borderWidth: 2,
      spanGaps: true,
      tension: 0.2,
    }));
    const format_ = formatter(format);
    canvas.chart = new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: {
            ticks: { callback: format_ },
            suggestedMin: format === "ratio" ? 0.9 : undefined,
            suggestedMax: format === "ratio" ? 1 : undefined,
            beginAtZero: format !== "ratio",
          },
          x: { ticks: { maxTicksLimit: 8 } },
        },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + format_(ctx.parsed.y) } },
        },
      },
    });
  });
}());

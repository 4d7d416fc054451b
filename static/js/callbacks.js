// Live countdown of the deadline tags. The server already rendered the right text; this only
// keeps it current while the page stays open, with the same wording (domain/callbacks.py).
(function () {
  var holder = document.querySelector("[data-now]");
  if (!holder) return;
  var skew = Date.parse(holder.getAttribute("data-now")) - Date.now(); // trust the server's clock
  var OPEN = { pending: true, assigned: true, contacted: true };
  var ICONS = { overdue: "⚠", due_soon: "◔", on_time: "◷" };
  var TONES = { overdue: "alarm", due_soon: "warn", on_time: "info" }; // as macros/badges.html

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return "less than a minute";
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return hours ? days + " d " + hours + " h" : days + " d";
    if (hours) return mins ? hours + " h " + mins + " min" : hours + " h";
    return mins + " min";
  }

  function refresh() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-deadline][data-expires]").forEach(function (badge) {
      if (!OPEN[badge.getAttribute("data-status")]) return;
      var left = Date.parse(badge.getAttribute("data-expires")) - now;
      var soon = parseInt(badge.getAttribute("data-due-soon"), 10) * 60000;
      var kind = left < 0 ? "overdue" : (left <= soon ? "due_soon" : "on_time");
      var text = kind === "overdue" ? "Overdue by " + span(left)
        : kind === "due_soon" ? "Due soon: in " + span(left) : "Due in " + span(left);
      badge.setAttribute("data-deadline", kind);
      badge.className = "tag tag-" + TONES[kind] + " tag-large";
      badge.querySelector(".tag-symbol").textContent = ICONS[kind];
      badge.querySelector(".tag-text").textContent = text;
      var row = badge.closest("tr");
      if (row) row.className = row.className.replace(/cb-urgency-\w+/, "cb-urgency-" + kind);
    });
  }

  setInterval(refresh, 30000);
})();

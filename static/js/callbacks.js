// Live countdown of the deadline tags. The server already rendered the right text; this only
// keeps it current while the page stays open, with the same wording (domain/callbacks.py).
(function () {
  var holder = document.querySelector("[data-now]");
  if (!holder) return;
  var skew = Date.parse(holder.getAttribute("data-now")) - Date.now(); // trust the server's clock
  var OPEN = { pending: true, assigned: true, contacted: true };
  var ICONS = { overdue: "⚠", due_soon: "◔", on_time: "◷" };
  var TONES = { overdue: "alarm", due_soon: "warn", on_time: "info" }; // as macros/badges.html
  // The words of the page's language (portal/translations/runtime.py countdown_words).
  var WORDS = { overdue: "Overdue by {span}", due_soon: "Due soon: in {span}", on_time: "Due in {span}",
                less: "less than a minute", d: "d", h: "h", min: "min" };
  try { WORDS = JSON.parse(holder.getAttribute("data-words")) || WORDS; } catch (e) { /* keep English */ }

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return WORDS.less;
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var d = " " + WORDS.d, h = " " + WORDS.h, m = " " + WORDS.min;
    if (days) return hours ? days + d + " " + hours + h : days + d;
    if (hours) return mins ? hours + h + " " + mins + m : hours + h;
    return mins + m;
  }

  function refresh() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-deadline][data-expires]").forEach(function (badge) {
      if (!OPEN[badge.getAttribute("data-status")]) return;
      var left = Date.parse(badge.getAttribute("data-expires")) - now;
      var soon = parseInt(badge.getAttribute("data-due-soon"), 10) * 60000;
      var kind = left < 0 ? "overdue" : (left <= soon ? "due_soon" : "on_time");
      var text = WORDS[kind].replace("{span}", span(left));
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

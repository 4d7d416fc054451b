// Small progressive enhancements; every page works without them.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Expand / collapse every node of the policy tree.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-tree]");
  if (!button) return;
  var open = button.getAttribute("data-tree") === "expand";
  document.querySelectorAll("#policy-tree details").forEach(function (node) {
    node.open = open;
  });
});

// Typing a value on the policy editor means "override": select that choice for the person.
document.addEventListener("input", function (event) {
  var name = event.target.name || "";
  if (name.indexOf("value_") !== 0) return;
  var override = document.querySelector('input[name="mode_' + name.slice(6) + '"][value="override"]');
  if (override && !override.checked) override.checked = true;
});

// Phones: the main navigation folds behind a Menu button (without scripts it simply wraps).
(function () {
  var bar = document.querySelector(".topbar");
  var toggle = bar && bar.querySelector(".nav-toggle");
  if (!toggle) return;
  bar.classList.add("js-nav");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = bar.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();

// After a form post the answer's message is what matters: move the focus there (or to the first
// field with an error), so keyboard and screen-reader users start where the news is.
(function () {
  var target = document.querySelector(".field.has-error input, .field.has-error select, " +
    ".field.has-error textarea, [aria-invalid=true], .flashes .flash, #impact");
  if (!target) return;
  if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus({ preventScroll: false });
})();

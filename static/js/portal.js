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

// Cell editor: choosing or typing a value means "set here", so select that choice for the person.
document.addEventListener("input", function (event) {
  var name = event.target.name || "";
  if (name.indexOf("value_") !== 0 || !event.target.value) return;
  var set = document.querySelector('#cell-editor input[name="mode_' + name.slice(6) + '"][value="set"]');
  if (set && !set.checked) set.checked = true;
});

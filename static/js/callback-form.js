// New callback: the preferred-staff picker lists the chosen branch's staff and the company-wide
// team. When the branch changes, this fetches that branch's options from the server (the form
// works without it: the server renders the picker for the branch it shows selected).
(function () {
  var branch = document.querySelector("select[data-staff-for]");
  var staff = document.getElementById(branch ? branch.getAttribute("data-staff-for") : "");
  if (!branch || !staff) return;
  var source = branch.getAttribute("data-staff-source");
  var asked = 0;
  branch.addEventListener("change", function () {
    var mine = ++asked, keep = staff.value;
    fetch(source + "?branch=" + encodeURIComponent(branch.value), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (options) {
        if (mine !== asked) return; // a later change already asked for another branch
        staff.innerHTML = options; // rendered and escaped by the server (callbacks/_staff_options.html)
        staff.value = keep;
        if (staff.value !== keep) staff.value = "";
      })
      .catch(function () { /* keep the list shown; the server checks the choice anyway */ });
  });
})();

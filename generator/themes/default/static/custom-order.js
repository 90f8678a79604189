// Pre-fills "About this listing" from the link the buyer followed (?listing=...&url=...).
// Values are set as form values, never as HTML. Reference photos are checked (how many, what
// kind, how large) before the form is sent, with the problem said beside the field.
(function () {
  "use strict";
  var T = window.makerfrontText || function (key) { return key; };
  var input = document.getElementById("co-photos");
  var box = document.getElementById("co-photos-error");
  if (!input || !box || !input.files) return;
  var most = parseInt(input.getAttribute("data-max-files"), 10) || 3;
  var bytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 8388608;
  function problem() {
    var files = Array.prototype.slice.call(input.files);
    if (files.length > most) return T("too_many_photos", { num: most, count: files.length });
    var wrong = files.filter(function (f) { return !/\.(jpe?g|png|webp|heic|heif)$/i.test(f.name) && !/^image\/(jpeg|png|webp|heic|heif)$/.test(f.type); });
    if (wrong.length) return T("not_a_photo", { name: wrong[0].name });
    var total = files.reduce(function (n, f) { return n + f.size; }, 0);
    if (total > bytes) {
      return T("photos_too_big", { size: (total / 1048576).toFixed(1), most: Math.round(bytes / 1048576) });
    }
    return null;
  }
  function check() {
    var p = problem();
    box.textContent = p || "";
    box.hidden = !p;
    if (p) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    return p;
  }
  input.addEventListener("change", check);
  input.form.addEventListener("submit", function (e) {
    if (check()) { e.preventDefault(); input.focus(); }
  });
})();
(function () {
  "use strict";
  var field = document.getElementById("co-listing");
  if (!field || !window.URLSearchParams) return;
  var params = new URLSearchParams(window.location.search);
  var title = params.get("listing");
  var url = params.get("url");
  var options = params.get("options");
  if (title) field.value = (url ? title + " (" + url + ")" : title) + (options ? "; " + options : "");
})();

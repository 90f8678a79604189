// Pre-fills "About this listing" from the link the buyer followed (?listing=...&url=...).
// Values are set as form values, never as HTML.
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

// The page's texts in the shop's language, from the JSON block partials/script_strings.html
// writes: window.makerfrontText(key, values) fills each %(name)s with values[name]; an entry with
// plural forms picks the one Intl.PluralRules gives values.num. A script never has a sentence of
// its own, so the catalogs and site.yaml `strings:` reach every text it shows.
(function () {
  "use strict";
  var table = {};
  try { table = JSON.parse(document.getElementById("mf-strings").textContent) || {}; } catch (e) { table = {}; }
  var lang = document.documentElement.lang || "en";
  var rules = null, numbers = null;
  try { rules = new Intl.PluralRules(lang); numbers = new Intl.NumberFormat(lang); } catch (e) { rules = numbers = null; }
  window.makerfrontText = function (key, values) {
    var given = values || {};
    var text = table[key];
    var filled = {};
    Object.keys(given).forEach(function (name) { filled[name] = String(given[name]); });
    if (text && typeof text === "object") {
      var n = given.num;
      var form = rules && typeof n === "number" ? rules.select(n) : "other";
      text = text[form] || text.other || text[Object.keys(text)[0]];
      if (typeof n === "number" && numbers) filled.num = numbers.format(n);
    }
    if (typeof text !== "string") return key;
    return text.replace(/%\((\w+)\)s|%%/g, function (m, name) {
      if (name === undefined) return "%";
      return Object.prototype.hasOwnProperty.call(filled, name) ? filled[name] : m;
    });
  };
})();

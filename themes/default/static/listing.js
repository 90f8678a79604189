// Live price and "Order by email" with the buyer's choices. Without JavaScript the page still
// shows the base price, every surcharge next to its option, and a working order link.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-price]");
  if (!form) return;
  var base = parseInt(form.getAttribute("data-base"), 10) || 0;
  var digits = parseInt(form.getAttribute("data-digits"), 10) || 0;
  var fmt;
  try {
    fmt = new Intl.NumberFormat(form.getAttribute("data-locale") || "en", {
      style: "currency",
      currency: form.getAttribute("data-currency"),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits
    });
  } catch (e) {
    fmt = { format: function (n) { return n.toFixed(digits); } };
  }
  var output = document.getElementById("total");
  var orderLink = document.getElementById("order-email");
  var mail = null;
  if (orderLink) {
    try { mail = JSON.parse(orderLink.getAttribute("data-mail")); } catch (e) { mail = null; }
  }

  function fields() {
    return Array.prototype.slice.call(form.querySelectorAll("select, input"));
  }

  function surchargeOf(el) {
    if (el.tagName === "SELECT") {
      var opt = el.options[el.selectedIndex];
      return opt ? parseInt(opt.getAttribute("data-surcharge"), 10) || 0 : 0;
    }
    var each = parseInt(el.getAttribute("data-surcharge"), 10) || 0;
    if (el.type === "checkbox") return el.checked ? each : 0;
    if (el.type === "number") {
      var n = parseInt(el.value, 10);
      return isNaN(n) || n < 0 ? 0 : n * each;
    }
    return el.value.trim() ? each : 0;
  }

  function choices() {
    var lines = [];
    fields().forEach(function (el) {
      var name = el.getAttribute("data-name");
      if (!name) return;
      var value;
      if (el.type === "checkbox") value = el.checked ? "yes" : "";
      else value = el.value.trim();
      if (value) lines.push("- " + name + ": " + value);
    });
    return lines;
  }

  function update() {
    var total = base;
    fields().forEach(function (el) { total += surchargeOf(el); });
    var text = fmt.format(total / Math.pow(10, digits));
    if (output) output.textContent = text;
    if (orderLink && mail) {
      var picked = choices();
      var body = mail.intro + (picked.length ? "My choices:\n" + picked.join("\n") + "\n" : "") +
        "Price shown: " + text + "\n" + mail.outro;
      orderLink.href = "mailto:" + encodeURIComponent(mail.to).replace("%40", "@") +
        "?subject=" + encodeURIComponent(mail.subject) + "&body=" + encodeURIComponent(body);
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  update();
})();

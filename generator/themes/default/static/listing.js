// Gallery: the thumbnails switch the main photo, and the main photo opens full size in a dialog
// (Escape, the close button or a click beside the photo closes it; the arrow keys and buttons go
// through the photos; focus returns to the photo). Without JavaScript every photo is a plain link
// to its largest file, which works the same.
(function () {
  "use strict";
  var gallery = document.querySelector("[data-gallery]");
  var mainLink = gallery && gallery.querySelector("a[data-full]");
  if (!mainLink) return;
  var mainPicture = mainLink.querySelector("picture");
  var thumbs = Array.prototype.slice.call(gallery.querySelectorAll("a[data-photo]"));
  var current = 0;

  function plainClick(e) {
    return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
  }

  function show(i) {
    var thumb = thumbs[i];
    var old = mainPicture.querySelector("img");
    if (!thumb || !old) return;
    var pic = thumb.querySelector("picture").cloneNode(true);
    var img = pic.querySelector("img");
    var sizes = old.getAttribute("sizes");
    Array.prototype.forEach.call(pic.querySelectorAll("source"), function (s) { s.setAttribute("sizes", sizes); });
    if (sizes) img.setAttribute("sizes", sizes);
    img.removeAttribute("loading");
    img.removeAttribute("style");
    mainPicture.parentNode.replaceChild(pic, mainPicture);
    mainPicture = pic;
    mainLink.href = thumb.href;
    thumbs.forEach(function (t, j) {
      if (j === i) t.setAttribute("aria-current", "true"); else t.removeAttribute("aria-current");
    });
    current = i;
  }

  thumbs.forEach(function (t, i) {
    t.addEventListener("click", function (e) {
      if (!plainClick(e)) return;
      e.preventDefault();
      show(i);
    });
  });

  if (typeof HTMLDialogElement !== "function") return;
  var label = function (name, fallback) { return gallery.getAttribute("data-label-" + name) || fallback; };
  var dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  dialog.setAttribute("aria-label", label("dialog", "Photo"));
  var figure = document.createElement("figure");
  var big = document.createElement("img");
  var caption = document.createElement("figcaption");
  figure.appendChild(big);
  figure.appendChild(caption);
  dialog.appendChild(figure);
  function button(cls, text, name) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.setAttribute("aria-label", name);
    dialog.appendChild(b);
    return b;
  }
  var closeButton = button("lightbox-close", "\u00d7", label("close", "Close"));
  var count = Math.max(thumbs.length, 1);
  var prev = count > 1 ? button("lightbox-prev", "\u2039", label("prev", "Previous photo")) : null;
  var next = count > 1 ? button("lightbox-next", "\u203a", label("next", "Next photo")) : null;
  document.body.appendChild(dialog);

  function fill(i) {
    var link = thumbs[i] || mainLink;
    var img = link.querySelector("img");
    big.src = link.href;
    big.alt = img ? img.alt : "";
    caption.textContent = big.alt + (count > 1 ? " (" + (i + 1) + " / " + count + ")" : "");
  }
  function step(by) {
    var i = (current + by + count) % count;
    show(i);
    fill(i);
  }
  mainLink.addEventListener("click", function (e) {
    if (!plainClick(e)) return;
    e.preventDefault();
    fill(current);
    dialog.showModal();
    closeButton.focus();
  });
  closeButton.addEventListener("click", function () { dialog.close(); });
  if (prev) prev.addEventListener("click", function () { step(-1); });
  if (next) next.addEventListener("click", function () { step(1); });
  dialog.addEventListener("click", function (e) { if (e.target === dialog || e.target === figure) dialog.close(); });
  dialog.addEventListener("keydown", function (e) {
    if (count < 2) return;
    if (e.key === "ArrowLeft") { e.preventDefault(); step(-1); }
    if (e.key === "ArrowRight") { e.preventDefault(); step(1); }
  });
  dialog.addEventListener("close", function () { mainLink.focus(); });
})();

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
  // The note "(base price; options add to it)" is for readers without JavaScript; here the
  // total follows the choices.
  var note = form.querySelector(".total-note");
  if (note) note.hidden = true;
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

  // "Ask about a Custom Order" links: remember the built href, then add the buyer's choices.
  var customLinks = Array.prototype.slice.call(document.querySelectorAll("a.custom-order-link"));
  customLinks.forEach(function (a) { a.setAttribute("data-base-href", a.getAttribute("href")); });

  function choices() {
    var picked = [];
    fields().forEach(function (el) {
      var name = el.getAttribute("data-name");
      if (!name) return;
      var value;
      if (el.type === "checkbox") value = el.checked ? "yes" : "";
      else value = el.value.trim();
      if (value) picked.push(name + ": " + value);
    });
    return picked;
  }

  function encode(value) {
    // encodeURIComponent, never "+" for spaces: mail programs read "+" literally.
    return encodeURIComponent(value);
  }

  function customOrderHref(href, picked) {
    if (!picked.length) return href;
    var q = href.indexOf("?");
    if (href.indexOf("mailto:") !== 0) {
      // The custom-order/ form page: it shows the choices in its "About this listing" field.
      return href + (q < 0 ? "?" : "&") + "options=" + encode(picked.join("; "));
    }
    if (q < 0) return href;
    var parts = href.slice(q + 1).split("&").map(function (pair) {
      var eq = pair.indexOf("=");
      return [pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1))];
    });
    return href.slice(0, q + 1) + parts.map(function (kv) {
      var value = kv[1];
      if (kv[0] === "body") {
        // After the greeting and the line naming the listing.
        var paras = value.split("\n\n");
        var extra = "The options I picked:\n- " + picked.join("\n- ");
        paras.splice(Math.min(2, paras.length), 0, extra);
        value = paras.join("\n\n");
      }
      return kv[0] + "=" + encode(value);
    }).join("&");
  }

  function update() {
    var total = base;
    fields().forEach(function (el) { total += surchargeOf(el); });
    var text = fmt.format(total / Math.pow(10, digits));
    if (output) output.textContent = text;
    var picked = choices();
    if (orderLink && mail) {
      var body = mail.intro + (picked.length ? "My choices:\n- " + picked.join("\n- ") + "\n" : "") +
        "Price shown: " + text + "\n" + mail.outro;
      orderLink.href = "mailto:" + encode(mail.to).replace("%40", "@") +
        "?subject=" + encode(mail.subject) + "&body=" + encode(body);
    }
    customLinks.forEach(function (a) {
      a.href = customOrderHref(a.getAttribute("data-base-href"), picked);
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  update();
})();

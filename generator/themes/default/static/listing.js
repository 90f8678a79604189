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
  // The order form shows an option's own photo (a choice's `image:`) through here.
  gallery.mfShow = show;

  thumbs.forEach(function (t, i) {
    t.addEventListener("click", function (e) {
      if (!plainClick(e)) return;
      e.preventDefault();
      show(i);
    });
  });

  if (typeof HTMLDialogElement !== "function") return;
  // The labels come from the page, in the shop's language (listing.html's data-label-*).
  var label = function (name) { return gallery.getAttribute("data-label-" + name) || ""; };
  var dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  dialog.setAttribute("aria-label", label("dialog"));
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
  var closeButton = button("lightbox-close", "\u00d7", label("close"));
  var count = Math.max(thumbs.length, 1);
  var prev = count > 1 ? button("lightbox-prev", "\u2039", label("prev")) : null;
  var next = count > 1 ? button("lightbox-next", "\u203a", label("next")) : null;
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

// The order form: the live price, required fields checked before any order action, and the
// hand-off (site.yaml checkout) carrying every choice and the total shown. Without JavaScript
// the page still lists every price and "Order by email" works.
(function () {
  "use strict";
  // Every text comes from the page, in the shop's language (static/strings.js).
  var T = window.makerfrontText || function (key) { return key; };
  var form = document.querySelector("form[data-live-price]");
  shipsBy();
  if (!form) return;
  var base = parseInt(form.getAttribute("data-base"), 10) || 0;
  var digits = parseInt(form.getAttribute("data-digits"), 10) || 0;
  var currency = form.getAttribute("data-currency");
  var fmt;
  try {
    fmt = new Intl.NumberFormat(form.getAttribute("data-locale") || "en", {
      style: "currency", currency: currency, minimumFractionDigits: digits, maximumFractionDigits: digits
    });
  } catch (e) {
    fmt = { format: function (n) { return n.toFixed(digits); } };
  }
  var order = {};
  try { order = JSON.parse(form.getAttribute("data-order")) || {}; } catch (e) { order = {}; }
  var mail = order.mail || null;
  var $ = function (id) { return document.getElementById(id); };
  var output = $("total"), headline = $("price-amount");
  var emailLink = $("order-email"), orderLink = $("order-link"), cart = $("order-cart");
  var paypalButton = $("order-paypal"), paypalForm = $("paypal-form");
  var copyButton = $("order-copy"), details = $("order-details"), status = $("order-status");
  var problemsBox = $("order-problems");
  // The note "(base price; options add to it)" is for readers without JavaScript.
  var note = form.querySelector(".total-note");
  if (note) note.hidden = true;
  [orderLink, cart, paypalButton, copyButton].forEach(function (el) { if (el) el.hidden = false; });
  var tried = false;

  function money(minor) { return fmt.format(minor / Math.pow(10, digits)); }
  function decimal(minor) { return (minor / Math.pow(10, digits)).toFixed(digits); }
  // A field of a customization asked only sometimes (show_if) sits in a .field that is hidden
  // when it is not asked: then it is not required, priced, mailed or handed to checkout.
  function shown(el) {
    var box = el.closest ? el.closest(".field") : null;
    return !box || !box.hidden;
  }
  function everyField() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-kind]"));
  }
  function fields() {
    return everyField().filter(shown);
  }
  function allCustom() {
    return everyField().filter(function (el) { return el.hasAttribute("data-name"); });
  }
  function custom() {
    return allCustom().filter(shown);
  }
  function isRadios(el) { return el.tagName === "FIELDSET"; }
  function isRequired(el) { return el.required || el.hasAttribute("data-required"); }
  // The option element chosen in a choice (a select's option, or the checked radio of swatches).
  function pickedOption(el) {
    if (isRadios(el)) return el.querySelector("input:checked");
    return el.options[el.selectedIndex] || null;
  }
  function valueOf(el) {
    if (isRadios(el)) { var r = pickedOption(el); return r ? r.value : ""; }
    return el.value;
  }
  function focusTarget(el) {
    if (!isRadios(el)) return el;
    return pickedOption(el) || el.querySelector("input");
  }

  // A number moved onto min, max and the steps from min (generator/model.py Customization.clamp).
  function clamp(el, n) {
    var low = parseInt(el.getAttribute("min"), 10) || 0;
    var step = parseInt(el.getAttribute("step"), 10) || 1;
    var high = el.hasAttribute("max") ? parseInt(el.getAttribute("max"), 10) : null;
    if (n < low) return low;
    n = low + Math.floor((n - low) / step) * step;
    if (high !== null && n > high) n = low + Math.floor((high - low) / step) * step;
    return n;
  }
  // The number a number field stands for, or null when it is empty (or not a number).
  function numberOf(el) {
    var raw = el.value.trim();
    if (raw === "") return null;
    var n = Number(raw);
    return isFinite(n) ? clamp(el, Math.floor(n)) : null;
  }

  // What the buyer chose in ``el``: {value, surcharge}, value "" for nothing.
  function chosen(el) {
    var each = parseInt(el.getAttribute("data-surcharge"), 10) || 0;
    var kind = el.getAttribute("data-kind");
    if (!shown(el)) return { value: "", surcharge: 0 };
    if (kind === "choice") {
      var opt = pickedOption(el);
      return { value: valueOf(el), surcharge: opt ? parseInt(opt.getAttribute("data-surcharge"), 10) || 0 : 0 };
    }
    if (kind === "checkbox") return { value: el.checked ? "yes" : "", surcharge: el.checked ? each : 0 };
    if (kind === "number") {
      var n = numberOf(el);
      if (n === null || (n === 0 && !el.required)) return { value: "", surcharge: 0 };
      return { value: String(n), surcharge: Math.max(n, 0) * each };
    }
    var text = el.value.trim();
    return { value: text, surcharge: text ? each : 0 };
  }

  function quantity() {
    var q = $("order-quantity");
    var n = q ? numberOf(q) : 1;
    return n === null ? 1 : n;
  }
  function region() {
    var r = $("order-region");
    if (!r || !r.value) return null;
    var opt = r.options[r.selectedIndex];
    return { name: r.value, price: parseInt(opt.getAttribute("data-price"), 10) || 0,
             freeOver: opt.hasAttribute("data-free-over") ? parseInt(opt.getAttribute("data-free-over"), 10) : null };
  }

  // Everything the buyer chose and what it costs.
  function state() {
    var unit = base, picked = [], byName = {};
    custom().forEach(function (el) {
      var c = chosen(el);
      unit += c.surcharge;
      if (c.value) {
        picked.push({ name: el.getAttribute("data-name"), value: c.value, el: el });
        byName[el.getAttribute("data-name").toLowerCase()] = c.value;
      }
    });
    var q = quantity(), items = unit * q, r = region();
    var ship = r ? (r.freeOver !== null && items >= r.freeOver ? 0 : r.price) : null;
    return { unit: unit, quantity: q, items: items, picked: picked, byName: byName, region: r,
             shipping: ship, total: items + (ship || 0) };
  }

  function problemOf(el) {
    var kind = el.getAttribute("data-kind");
    var name = el.getAttribute("data-name") || (el.labels && el.labels[0] ? el.labels[0].textContent.trim() : "");
    if (kind === "choice" || kind === "region") {
      return isRequired(el) && !valueOf(el) ? (kind === "region" ? T("choose_region") : T("choose", { name: name })) : null;
    }
    if (kind === "number" || kind === "quantity") {
      var raw = el.value.trim();
      if (raw === "") return el.required ? (name ? T("enter", { name: name }) : T("enter_number")) : null;
      var n = Number(raw);
      if (!isFinite(n)) return T("whole_number");
      return null;  // out of range or between steps: moved onto the nearest allowed number
    }
    if (kind === "text") {
      if (el.required && !el.value.trim()) return T("fill_in", { name: name });
      var most = parseInt(el.getAttribute("maxlength"), 10);
      if (most && el.value.length > most) return T("at_most_characters", { num: most });
      return allowedProblem(el);
    }
    return null;
  }

  // allowed: (a text customization): the characters typed that it does not allow, said at once.
  function allowedProblem(el) {
    var cls = el.getAttribute("data-allowed");
    if (cls === null || !el.value) return null;
    var one;
    try { one = new RegExp("^[" + cls + "]$", "u"); } catch (e) { return null; }
    var wrong = [];
    Array.from(el.value).forEach(function (ch) {
      if (!one.test(ch) && wrong.indexOf(ch) < 0) wrong.push(ch);
    });
    if (!wrong.length) return null;
    var shownChars = wrong.map(function (ch) { return ch === " " ? T("space") : T("quoted", { text: ch }); }).join(" ");
    return T("cannot_use", { characters: shownChars, allowed: el.getAttribute("data-allowed-text") });
  }

  function showProblems() {
    var problems = [];
    everyField().forEach(function (el) {
      var box = $(el.id + "-error");
      var problem = shown(el) ? problemOf(el) : null;
      if (problem) problems.push(el);
      // Before the first order click only what is typed against `allowed:` is said.
      var said = tried ? problem : (shown(el) && el.getAttribute("data-kind") === "text" ? allowedProblem(el) : null);
      if (!tried && !said && (!box || box.hidden)) return;
      if (box) { box.textContent = said || ""; box.hidden = !said; }
      if (said) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    });
    if (problemsBox && tried) {
      problemsBox.hidden = !problems.length;
      problemsBox.textContent = problems.length ? T("fields_need_answer", { num: problems.length }) : "";
    }
    return problems;
  }

  function orderText(s) {
    var lines = [];
    if (s.picked.length) {
      lines.push(T("my_choices"));
      s.picked.forEach(function (p) { lines.push("- " + p.name + ": " + p.value); });
    }
    previewLines(s).forEach(function (line) { lines.push(line); });
    if ($("order-quantity")) lines.push(T("quantity_line", { quantity: s.quantity }));
    lines.push(T("price_line", { price: money(s.items) }));
    if (s.region) {
      lines.push(T("shipping_line", { region: s.region.name, price: money(s.shipping) }));
      lines.push(T("total_line", { price: money(s.total) }));
    }
    return lines.join("\n") + "\n";
  }

  // What each live preview showed, for the maker: the text, the lettering, where it went.
  function previewLines(s) {
    var out = [];
    Array.prototype.slice.call(form.querySelectorAll("figure.preview[data-field]")).forEach(function (fig) {
      var el = $(fig.getAttribute("data-field"));
      if (!el || !shown(el) || !el.value.trim()) return;
      out.push(T("preview_line", { preview: previewDescription(fig, el) }));
    });
    return out;
  }
  function previewDescription(fig, el) {
    var data = {};
    try { data = JSON.parse(fig.getAttribute("data-preview")) || {}; } catch (e) { data = {}; }
    var fontField = data.fontField ? $(data.fontField) : null;
    var font = fontField && shown(fontField) ? valueOf(fontField) : "";
    var text = font ? T("lettering", { text: el.value.trim(), font: font }) : T("quoted", { text: el.value.trim() });
    return T("centred", { text: text, area: el.getAttribute("data-name"), photo: fig.getAttribute("data-alt") });
  }
  form.mfPreviewDescription = previewDescription;

  function encode(value) {
    // encodeURIComponent, never "+" for spaces: mail programs read "+" literally.
    return encodeURIComponent(value);
  }

  function mailHref(s) {
    var body = mail.intro + orderText(s) + mail.outro;
    return "mailto:" + encode(mail.to).replace("%40", "@") + "?subject=" + encode(mail.subject) + "&body=" + encode(body);
  }

  function optionsText(s) {
    return s.picked.map(function (p) { return p.name + ": " + p.value; }).join("; ");
  }

  // order_url with its {placeholders} filled, each percent-encoded (views.fill_order_url).
  function orderUrl(s) {
    var values = { title: order.title, url: order.url, total: decimal(s.total), currency: order.currency,
                   shipping: s.region ? s.region.name + " " + decimal(s.shipping) : "", options: optionsText(s) };
    return order.template.replace(/\{([^{}]*)\}/g, function (all, key) {
      if (key.indexOf("option:") === 0) return encode(s.byName[key.slice(7).trim().toLowerCase()] || "");
      return encode(values[key] || "");
    });
  }

  function setPaypal(s) {
    if (!paypalForm) return;
    Array.prototype.slice.call(paypalForm.querySelectorAll("input[data-option]")).forEach(function (el) {
      el.parentNode.removeChild(el);
    });
    function put(name, value, option) {
      var el = paypalForm.querySelector("input[name='" + name + "']");
      if (!el) {
        el = document.createElement("input");
        el.type = "hidden";
        el.name = name;
        if (option) el.setAttribute("data-option", "");
        paypalForm.appendChild(el);
      }
      el.value = value;
    }
    put("amount", decimal(s.unit));
    put("quantity", String(s.quantity));
    var options = s.picked.map(function (p) { return [p.name, p.value]; });
    if (s.region && $("order-region").options.length > 1) options.push([T("ship_to"), s.region.name]);
    options.forEach(function (kv, i) {
      put("on" + i, kv[0].slice(0, 64), true);
      put("os" + i, kv[1].slice(0, 200), true);
    });
    // Only when the shop says what shipping costs; else PayPal's own shipping settings apply.
    if (s.region) put("shipping", decimal(s.shipping));
  }

  function setCart(s) {
    if (!cart) return;
    allCustom().forEach(function (el, i) {
      var c = chosen(el), attr = "data-item-custom" + (i + 1) + "-value";
      var kind = el.getAttribute("data-kind");
      if (kind === "checkbox") cart.setAttribute(attr, el.checked && shown(el) ? "true" : "false");
      else if (c.value) cart.setAttribute(attr, c.value);
      else if (kind === "choice" || kind === "number") cart.setAttribute(attr, "None");
      else cart.removeAttribute(attr);
    });
    cart.setAttribute("data-item-quantity", String(s.quantity));
  }

  // "Ask about a Custom Order" links: remember the built href, then add the buyer's choices.
  var customLinks = Array.prototype.slice.call(document.querySelectorAll("a.custom-order-link"));
  customLinks.forEach(function (a) { a.setAttribute("data-base-href", a.getAttribute("href")); });

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
        var extra = T("options_picked") + "\n- " + picked.join("\n- ");
        paras.splice(Math.min(2, paras.length), 0, extra);
        value = paras.join("\n\n");
      }
      return kv[0] + "=" + encode(value);
    }).join("&");
  }

  // show_if: each field whose conditions do not all hold is hidden (a condition on a hidden
  // field does not hold), and a field appearing or going is said to screen readers.
  var conditional = Array.prototype.slice.call(form.querySelectorAll(".field[data-show-if]"));
  var announce = $("order-announce");
  function holds(cond) {
    var el = $(cond.field);
    if (!el || !shown(el)) return false;
    var kind = el.getAttribute("data-kind");
    if (cond.test === "checked") return el.checked;
    if (cond.test === "unchecked") return !el.checked;
    if (cond.test === "filled") return kind === "number" ? numberOf(el) !== null : el.value.trim() !== "";
    return cond.values.indexOf(valueOf(el)) >= 0;
  }
  function applyConditions(quiet) {
    var said = [];
    // A field may depend on one that depends on another: settle them in as many passes.
    for (var pass = 0; pass <= conditional.length; pass++) {
      var changed = false;
      conditional.forEach(function (box) {
        var conds = [];
        try { conds = JSON.parse(box.getAttribute("data-show-if")) || []; } catch (e) { conds = []; }
        var show = conds.every(holds);
        if (box.hidden === !show) return;
        box.hidden = !show;
        changed = true;
        var el = box.querySelector("[data-kind]");
        var name = el ? el.getAttribute("data-name") : "";
        said = said.filter(function (x) { return x.name !== name; });
        said.push({ name: name, show: show });
      });
      if (!changed) break;
    }
    if (announce && !quiet && said.length) {
      announce.textContent = said.map(function (x) {
        return x.show ? T("now_asked", { name: x.name }) : T("no_longer_asked", { name: x.name });
      }).join(" ");
    }
  }

  function update() {
    applyConditions(false);
    var s = state();
    var problems = showProblems();
    if (output) output.textContent = money(s.items);
    if (headline) headline.textContent = money(s.items);
    var shipLine = form.querySelector(".total-shipping");
    if (shipLine) {
      shipLine.hidden = !s.region;
      if (s.region) { $("shipping-cost").textContent = money(s.shipping); $("grand-total").textContent = money(s.total); }
    }
    // No order link until the form is complete: a click then shows what is missing instead.
    var ready = !problems.length;
    if (emailLink && mail) emailLink.href = ready ? mailHref(s) : "#order-form";
    if (orderLink && order.template) orderLink.href = ready ? orderUrl(s) : "#order-form";
    setPaypal(s);
    setCart(s);
    if (details && mail) details.value = T("mail_to", { address: mail.to }) + "\n" + T("mail_subject", { subject: mail.subject }) + "\n\n" + mail.intro + orderText(s) + mail.outro;
    customLinks.forEach(function (a) {
      a.href = customOrderHref(a.getAttribute("data-base-href"), s.picked.map(function (p) { return p.name + ": " + p.value; }));
    });
    return problems;
  }

  // Every order action goes through here first: with a problem, nothing is ordered, each
  // problem is said beside its field and the first one gets the focus.
  function guard(e) {
    tried = true;
    var problems = update();
    if (!problems.length) return true;
    e.preventDefault();
    e.stopImmediatePropagation();  // Snipcart listens further up
    focusTarget(problems[0]).focus();
    return false;
  }

  [emailLink, orderLink, cart, paypalButton].forEach(function (el) {
    if (el) el.addEventListener("click", guard);
  });
  if (paypalForm) paypalForm.addEventListener("submit", function (e) { update(); if (showProblems().length) e.preventDefault(); });

  if (copyButton) {
    copyButton.addEventListener("click", function (e) {
      if (!guard(e)) return;
      var text = details.value;
      var done = function () { status.textContent = T("copied", { address: mail.to }); };
      var fallback = function () {
        // No clipboard (an old browser, or not allowed): show the text, selected, to copy by hand.
        details.hidden = false;
        details.focus();
        details.select();
        status.textContent = T("copy_selected", { address: mail.to });
      };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    });
  }

  // A number typed out of range shows the number that will be ordered.
  // An option with a photo of its own shows it in the gallery (its `show`); another option of
  // the same choice puts the first photo back.
  var gallery = document.querySelector("[data-gallery]");
  var photoFrom = null;
  function optionPhoto(choice) {
    if (!gallery || !gallery.mfShow) return;
    var opt = pickedOption(choice);
    if (opt && opt.hasAttribute("data-photo")) {
      gallery.mfShow(parseInt(opt.getAttribute("data-photo"), 10) || 0);
      photoFrom = choice;
    } else if (photoFrom === choice) {
      gallery.mfShow(0);
      photoFrom = null;
    }
  }

  form.addEventListener("change", function (e) {
    var el = e.target;
    var choice = el.closest ? el.closest("[data-kind='choice']") : null;
    if (choice && choice.querySelector("[data-photo]")) optionPhoto(choice);
    var kind = el.getAttribute && el.getAttribute("data-kind");
    if ((kind === "number" || kind === "quantity") && el.value.trim() !== "") {
      var n = numberOf(el);
      if (n !== null && String(n) !== el.value) el.value = String(n);
    }
    update();
  });
  form.addEventListener("input", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  applyConditions(true);
  Array.prototype.slice.call(form.querySelectorAll("[data-kind='choice']")).forEach(function (choice) {
    if (choice.querySelector("[data-photo]")) optionPhoto(choice);
  });
  update();

  function shipsBy() {
    var line = document.getElementById("ships-by");
    if (!line || !window.Intl) return;
    var most = parseInt(line.getAttribute("data-days-max"), 10);
    if (isNaN(most)) return;
    var day = new Date();
    day.setDate(day.getDate() + most);
    var when;
    try {
      when = new Intl.DateTimeFormat(document.documentElement.lang || "en", { weekday: "short", month: "short", day: "numeric" }).format(day);
    } catch (e) { return; }
    line.textContent = T("ships_by", { date: when, days: line.getAttribute("data-days-text") });
  }
})();

// The live preview of a text customization (`preview:` in a listing): what the buyer types,
// drawn on a photo of the listing in the maker's own font, centred in its area and made smaller
// until it fits. Loaded only on pages that have one. Without JavaScript the figure stays hidden.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.preview[data-preview]"));
  figures.forEach(function (fig) {
    var data = {};
    try { data = JSON.parse(fig.getAttribute("data-preview")) || {}; } catch (e) { return; }
    var field = document.getElementById(fig.getAttribute("data-field"));
    var canvas = fig.querySelector("canvas");
    var ctx = canvas && canvas.getContext ? canvas.getContext("2d") : null;
    if (!field || !ctx || !data.area) return;
    var root = fig.getAttribute("data-root") || "";
    var faces = {};
    var count = 0;

    // Each font file once, as a FontFace of its own name: the page's own fonts are never touched.
    function face(url) {
      if (!url) return null;
      if (faces[url]) return faces[url];
      var entry = faces[url] = { family: "makerfront-preview-" + (++count), state: "loading" };
      if (!window.FontFace || !document.fonts) { entry.state = "failed"; return entry; }
      var font = new FontFace(entry.family, "url(" + JSON.stringify(url) + ")");
      document.fonts.add(font);
      font.load().then(function () { entry.state = "ready"; draw(); }, function () { entry.state = "failed"; draw(); });
      return entry;
    }
    function fontUrl() {
      var chooser = data.fontField ? document.getElementById(data.fontField) : null;
      if (chooser && !(chooser.closest(".field") || {}).hidden) {
        var opt = chooser.tagName === "FIELDSET" ? chooser.querySelector("input:checked") : chooser.options[chooser.selectedIndex];
        if (opt && opt.getAttribute("data-font")) return opt.getAttribute("data-font");
      }
      return data.font ? root + data.font : null;
    }

    var photo = new Image();
    photo.decoding = "async";
    photo.onload = function () { fig.hidden = false; draw(); };
    photo.src = root + data.image;

    function draw() {
      if (!photo.complete || !photo.naturalWidth) return;
      var w = photo.naturalWidth, h = photo.naturalHeight;
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      ctx.clearRect(0, 0, w, h);
      ctx.drawImage(photo, 0, 0, w, h);
      // The area is in the pixels of the photo as the maker measured it; the file served may differ.
      var sx = w / (data.width || w), sy = h / (data.height || h);
      var ax = data.area[0] * sx, ay = data.area[1] * sy, aw = data.area[2] * sx, ah = data.area[3] * sy;
      var text = field.value.trim();
      var entry = face(fontUrl());
      var family = entry && entry.state === "ready" ? "\"" + entry.family + "\", serif" : "serif";
      if (text) {
        // The ink of the letters (not their advance widths) is fitted, with a hair of margin,
        // and centred: italic overhangs and descenders stay inside the area too.
        var room = aw * 0.98, tall = ah * 0.98;
        var size = Math.max(1, Math.floor(Math.min((data.max || ah) * sy, ah)));
        var ink = measure(text, size, family);
        if (ink.width > room || ink.height > tall) {
          size = Math.max(1, Math.floor(size * Math.min(room / ink.width, tall / ink.height)));
          ink = measure(text, size, family);
          while (size > 1 && (ink.width > room || ink.height > tall)) { size -= 1; ink = measure(text, size, family); }
        }
        ctx.fillStyle = data.colour || "#1a1a1a";
        ctx.textAlign = "left";
        ctx.textBaseline = "alphabetic";
        ctx.save();
        ctx.beginPath();
        ctx.rect(ax, ay, aw, ah);
        ctx.clip();  // nothing ever spills out of the area
        ctx.fillText(text, ax + (aw - ink.width) / 2 + ink.left, ay + (ah - ink.height) / 2 + ink.ascent);
        ctx.restore();
      }
      canvas.setAttribute("aria-label", describe(text));
    }

    // The box of the letters' ink at ``size`` (advance width and the font's size where the
    // browser cannot measure ink).
    function measure(text, size, family) {
      ctx.font = size + "px " + family;
      var m = ctx.measureText(text);
      if (typeof m.actualBoundingBoxLeft !== "number") return { width: m.width, height: size, left: 0, ascent: size * 0.8 };
      return { width: m.actualBoundingBoxLeft + m.actualBoundingBoxRight, height: m.actualBoundingBoxAscent + m.actualBoundingBoxDescent,
               left: m.actualBoundingBoxLeft, ascent: m.actualBoundingBoxAscent };
    }

    function describe(text) {
      var name = field.getAttribute("data-name");
      var T = window.makerfrontText || function (key) { return key; };
      if (!text) return T("preview_empty", { name: name });
      if (form && form.mfPreviewDescription) return T("preview", { description: form.mfPreviewDescription(fig, field) });
      return T("preview", { description: T("on_photo", { text: text, photo: fig.getAttribute("data-alt") }) });
    }

    field.addEventListener("input", draw);
    if (form) form.addEventListener("change", draw);
  });
})();

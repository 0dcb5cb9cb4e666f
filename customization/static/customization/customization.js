// 画面カスタマイズ設定: drag and drop onto the file field with a local
// preview (the picker stays the keyboard path), and the live check of the
// dedicated login alias (ALIAS-1), debounced. Works without JS too: the
// server checks everything again at 確認.
(function () {
  "use strict";

  function showPreview(zone, file) {
    var figure = zone.querySelector("[data-dropzone-preview]");
    var img = zone.querySelector("[data-dropzone-img]");
    var name = zone.querySelector("[data-dropzone-name]");
    if (name) name.textContent = file ? file.name : "";
    if (!file || !figure || !img) return;
    // A data: URL (the CSP allows data: images, not blob:).
    var reader = new FileReader();
    reader.onload = function () { img.src = reader.result; figure.hidden = false; };
    reader.readAsDataURL(file);
  }

  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var area = zone.querySelector("[data-dropzone-area]");
    if (!input || !area) return;
    input.addEventListener("change", function () { showPreview(zone, input.files[0]); });
    ["dragenter", "dragover"].forEach(function (type) {
      area.addEventListener(type, function (event) { event.preventDefault(); area.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      area.addEventListener(type, function () { area.classList.remove("is-over"); });
    });
    area.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      var transfer = new DataTransfer();
      transfer.items.add(files[0]);
      input.files = transfer.files;
      showPreview(zone, files[0]);
    });
  });

  var box = document.querySelector("[data-alias-check]");
  if (box) {
    var field = box.querySelector("input[name=alias]");
    var status = box.querySelector("[data-alias-status]");
    var timer = null;
    var last = null;
    var check = function () {
      var value = field.value.trim();
      if (value === last) return;
      last = value;
      if (!value) { status.textContent = ""; status.className = "alias-status"; return; }
      fetch(box.dataset.aliasCheck + "?alias=" + encodeURIComponent(value), {
        headers: { "X-Requested-With": "fetch" }, credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (field.value.trim() !== value) return;
          status.textContent = data.message + (data.url ? " " + data.url : "");
          status.className = "alias-status " + (data.ok ? "is-ok" : "is-error");
        })
        .catch(function () { last = null; });
    };
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    });
  }
})();

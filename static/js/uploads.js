// Progressive enhancement for <input type="file" data-upload> inside
// [data-upload-zone]: drop files onto the box, and list the chosen files with
// a small preview of images. The plain file picker works without this script
// and stays the keyboard path (it is a normal focusable input).
(function () {
  "use strict";

  function showChosen(input, list) {
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("li");
      if (/^image\/(png|jpeg|gif|bmp)$/.test(file.type) && window.FileReader) {
        var img = document.createElement("img");
        img.alt = "";
        img.height = 48;
        var reader = new FileReader();
        // A data: URL (allowed by the CSP's img-src), never blob:.
        reader.onload = function () { img.src = reader.result; };
        reader.readAsDataURL(file);
        item.appendChild(img);
      }
      item.appendChild(document.createTextNode(" " + file.name));
      list.appendChild(item);
    });
  }

  function enhance(zone) {
    var input = zone.querySelector("input[type=file][data-upload]");
    var list = zone.querySelector("[data-upload-preview]");
    var hint = zone.querySelector(".upload-drop-hint");
    if (!input || !list) { return; }
    if (hint) { hint.hidden = false; }
    input.addEventListener("change", function () { showChosen(input, list); });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("is-dragover"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      if (!input.multiple && files.length > 1) {
        var one = new DataTransfer();
        one.items.add(files[0]);
        files = one.files;
      }
      input.files = files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.querySelectorAll("[data-upload-zone]").forEach(enhance);
})();

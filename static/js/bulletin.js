/* 社内向け掲示板: progressive enhancement only; every page works without it
   (＋ submits the form and the server adds a row; 上へ/下へ are plain forms). */
(function () {
  "use strict";

  // カテゴリ追加: ＋ adds an input row in place.
  var rowsForm = document.querySelector("[data-category-rows]");
  if (rowsForm) {
    var list = rowsForm.querySelector("[data-rows]");
    var template = rowsForm.querySelector("template[data-row-template]");
    var total = rowsForm.querySelector("input[name=form-TOTAL_FORMS]");
    var max = rowsForm.querySelector("input[name=form-MAX_NUM_FORMS]");
    rowsForm.querySelector("[data-add-row]").addEventListener("click", function (event) {
      var count = parseInt(total.value, 10);
      if (max && count >= parseInt(max.value, 10)) { return; } // let the server explain the limit
      event.preventDefault();
      var html = template.innerHTML.replace(/__prefix__/g, String(count)).replace(/__num__/g, String(count + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(count + 1);
      var inputs = list.querySelectorAll("input");
      inputs[inputs.length - 1].focus();
    });
  }

  // 編集: drag and drop and 上へ/下へ save the whole order of one list (BBS-4).
  var status = document.querySelector("[data-order-status]");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");

  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("order-status--error", Boolean(isError));
  }

  // After a drag the 上へ/下へ buttons of the first and last rows change.
  function refreshButtons(listEl) {
    var items = Array.prototype.filter.call(listEl.children, function (li) { return li.tagName === "LI"; });
    items.forEach(function (li, i) {
      var form = li.querySelector(".move-buttons");
      if (!form) { return; }
      form.querySelector("button[value=up]").disabled = i === 0;
      form.querySelector("button[value=down]").disabled = i === items.length - 1;
    });
  }

  function save(listEl, announce) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", tokenInput ? tokenInput.value : "");
    Array.prototype.forEach.call(listEl.children, function (li) {
      if (li.dataset.id) { data.append("order", li.dataset.id); }
    });
    fetch(listEl.dataset.orderUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (json) { return { ok: r.ok, json: json }; }); })
      .then(function (res) {
        if (res.ok) { say(announce || res.json.message, false); refreshButtons(listEl); }
        else { say(res.json.error, true); window.setTimeout(function () { window.location.reload(); }, 1500); }
      })
      .catch(function () { say(listEl.dataset.errorText || "", true); });
  }

  // 上へ/下へ without a reload (issue 23): the row moves in place, focus
  // stays on its button (the other one when this one is now disabled) and
  // the move is announced. Without the script they are plain forms.
  function neighbour(item, up) {
    var el = up ? item.previousElementSibling : item.nextElementSibling;
    while (el && el.tagName !== "LI") { el = up ? el.previousElementSibling : el.nextElementSibling; }
    return el;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.classList.contains("move-buttons") || !button) { return; }
    var item = form.closest("li[data-id]");
    var listEl = item && item.parentElement;
    if (!listEl || !listEl.dataset.orderUrl) { return; }
    var up = button.value === "up";
    var other = neighbour(item, up);
    if (!other) { return; }
    event.preventDefault();
    listEl.insertBefore(up ? item : other, up ? other : item);
    refreshButtons(listEl);
    (button.disabled ? form.querySelector("button:not([disabled])") : button).focus();
    var template = status && status.dataset[up ? "movedUp" : "movedDown"];
    save(listEl, template ? template.replace("__NAME__", form.dataset.name || "") : "");
  });

  if (typeof Sortable === "undefined") { return; }
  document.querySelectorAll("[data-sortable]").forEach(function (listEl) {
    var isCategories = listEl.dataset.sortable === "categories";
    Sortable.create(listEl, {
      draggable: "> li",
      handle: isCategories ? ".edit-row--category > .drag-handle" : ".drag-handle",
      animation: 150,
      forceFallback: true,
      ghostClass: "is-ghost",
      chosenClass: "is-chosen",
      onEnd: function (evt) { if (evt.oldIndex !== evt.newIndex) { save(listEl); } }
    });
  });
})();

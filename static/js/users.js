/* User administration: progressive enhancement only; every page works without it. */
(function () {
  "use strict";

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // ユーザ一覧: remember each checkbox at once, so the selection survives
  // sorting and paging links too (without JS the paging buttons submit it).
  var listForm = document.getElementById("user-list-form");
  if (listForm) {
    var counter = document.getElementById("selected-count");
    var pageBox = document.getElementById("select-page");
    var rows = Array.prototype.slice.call(listForm.querySelectorAll(".row-check"));
    // One save at a time, each reading the boxes when it starts: two quick
    // ticks sent at once could be stored (in the session) and answered out of
    // order, leaving the first tick's selection and count.
    var saving = Promise.resolve();
    var saveNow = function () {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf(listForm));
      data.append("page_ids", listForm.querySelector("input[name=page_ids]").value);
      data.append("action", "save");
      rows.forEach(function (box) { if (box.checked) { data.append("selected", box.value); } });
      return fetch(listForm.dataset.saveUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) { if (json && counter) { counter.textContent = listForm.dataset.selectedTemplate.replace("__N__", json.selected); } })
        .catch(function () {});
    };
    var save = function () { saving = saving.then(saveNow); };
    var syncPageBox = function () {
      if (pageBox) { pageBox.checked = rows.length > 0 && rows.every(function (b) { return b.checked; }); }
    };
    rows.forEach(function (box) { box.addEventListener("change", function () { syncPageBox(); save(); }); });
    if (pageBox && rows.length) {
      pageBox.hidden = false;
      syncPageBox();
      pageBox.addEventListener("change", function () {
        rows.forEach(function (b) { b.checked = pageBox.checked; });
        save();
      });
    }
  }

  // ユーザ追加: the password box only matters for 管理者が設定.
  var methods = document.querySelectorAll("input[name=password_method]");
  var adminBox = document.querySelector(".password-admin");
  if (methods.length && adminBox) {
    document.documentElement.classList.add("js");
    var update = function () {
      var chosen = document.querySelector("input[name=password_method]:checked");
      adminBox.hidden = !(chosen && chosen.value === "admin");
    };
    Array.prototype.forEach.call(methods, function (m) { m.addEventListener("change", update); });
    update();
  }

  // 一括追加／変更: poll the job until it finishes, then show the result page.
  // The poll is marked background: it does not extend the idle timeout
  // (accounts/middleware.py, issue 20).
  var progress = document.getElementById("import-progress");
  if (progress) {
    var bar = progress.querySelector("progress");
    var done = progress.querySelector("[data-processed]");
    var total = progress.querySelector("[data-total]");
    var poll = function () {
      fetch(progress.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Portal-Background": "1" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.value = s.percent; done.textContent = s.processed; total.textContent = s.total;
          if (s.running) { window.setTimeout(poll, 1500); } else { window.location.assign(s.url); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }

  // 契約情報: the "no other admin" question as a real <dialog>.
  Array.prototype.forEach.call(document.querySelectorAll("[data-open-dialog]"), function (opener) {
    var dialog = document.getElementById(opener.dataset.openDialog);
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector("a, button");
      if (first) { first.focus(); }
    });
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-close-dialog]"), function (closer) {
      closer.addEventListener("click", function (event) { event.preventDefault(); dialog.close(); opener.focus(); });
    });
  });
})();

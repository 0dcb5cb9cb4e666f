/* お問い合わせ: FAQ suggestions beside the form while the subject is typed
   (INQ-9). Progressive enhancement only: the form works without it. */
(function () {
  "use strict";
  var box = document.getElementById("faq-suggestions");
  var subject = document.getElementById("id_subject");
  if (!box || !subject) { return; }
  var timer = null;
  var last = "";
  var lookup = function () {
    var q = subject.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length < 2) { box.innerHTML = ""; return; }
    fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (q === last) { box.innerHTML = html; } })
      .catch(function () {});
  };
  subject.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
  lookup();
})();

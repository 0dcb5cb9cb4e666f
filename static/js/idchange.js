// ID 数変更申込（入力）: show the count after the change next to each input.
// Progressive enhancement only; the 確認 screen is the authority.
(function () {
  "use strict";
  function update(input) {
    var out = input.parentElement.querySelector("output.idc-after");
    if (!out) return;
    var current = parseInt(out.dataset.current, 10);
    var raw = input.value.trim();
    if (raw === "" || !/^[-+]?\d+$/.test(raw)) { out.textContent = ""; return; }
    var after = current + parseInt(raw, 10);
    // The wording comes from the template, translated ({% translate %}).
    out.textContent = (out.dataset.afterTemplate || "→ 変更後 __N__ ID").replace("__N__", after);
    out.classList.toggle("idc-after--bad", after < 0);
  }
  document.querySelectorAll("input.idc-delta").forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
    update(input);
  });
})();

// Area picker (NOTIF-2): 全国 and each region box tick their prefectures on
// screen. The server expands the same boxes itself, so without JavaScript
// the form means the same thing.
(function () {
  "use strict";
  document.querySelectorAll("[data-area-picker]").forEach(function (picker) {
    var all = picker.querySelector("[data-area-all]");
    var regions = Array.prototype.slice.call(picker.querySelectorAll("fieldset"));
    function boxes(fieldset) { return Array.prototype.slice.call(fieldset.querySelectorAll("input[name=prefectures]")); }
    function sync() {
      var every = true;
      regions.forEach(function (fieldset) {
        var own = boxes(fieldset);
        var on = own.filter(function (b) { return b.checked; }).length;
        var head = fieldset.querySelector("[data-area-region]");
        head.checked = on === own.length;
        head.indeterminate = on > 0 && on < own.length;
        every = every && head.checked;
      });
      all.checked = every;
    }
    all.addEventListener("change", function () {
      regions.forEach(function (fieldset) { boxes(fieldset).forEach(function (b) { b.checked = all.checked; }); });
      sync();
    });
    regions.forEach(function (fieldset) {
      var head = fieldset.querySelector("[data-area-region]");
      head.addEventListener("change", function () {
        boxes(fieldset).forEach(function (b) { b.checked = head.checked; });
        sync();
      });
      boxes(fieldset).forEach(function (b) { b.addEventListener("change", sync); });
    });
    sync();
  });
})();

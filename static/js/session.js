/* Idle-timeout countdown (AUTH-7). The server ends a session after 60 idle
   minutes; a few minutes before, this shows the #session-timer box with a
   live countdown and a "ログインを継続する" button that renews the session
   through the keepalive endpoint. At zero it reloads the page, so the server
   shows the login page with its message. Tabs share the latest deadline
   through localStorage, so activity in one tab keeps the others quiet.
   Without JavaScript the box stays hidden and the server-side timeout still
   applies. The keepalive is sent only when the person presses the button
   (延長): the script never polls, so an unattended page does not keep its
   session alive (issue 20). */
(function () {
  "use strict";
  var box = document.getElementById("session-timer");
  if (!box) { return; }
  var KEY = "portal.session.deadline";
  var form = box.querySelector("form");
  var out = box.querySelector("[data-session-remaining]");
  var warnBefore = parseInt(box.dataset.warn || "300", 10);
  var deadline = 0;
  var timer;

  function stored() {
    try { return parseInt(window.localStorage.getItem(KEY) || "0", 10) || 0; } catch (e) { return 0; }
  }

  function extend(seconds) {
    deadline = Date.now() + seconds * 1000;
    try { window.localStorage.setItem(KEY, String(deadline)); } catch (e) { /* private mode */ }
  }

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var effective = Math.max(deadline, stored());
    var left = Math.max(0, Math.round((effective - Date.now()) / 1000));
    if (left <= 0) {
      window.clearInterval(timer);
      window.location.reload();
      return;
    }
    if (left <= warnBefore) {
      out.textContent = format(left);
      if (box.hidden) {
        box.hidden = false;
        box.querySelector("button").focus();
      }
    } else if (!box.hidden) {
      box.hidden = true;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.fetch(box.dataset.keepaliveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { window.location.reload(); return null; }
      return response.json();
    }).then(function (data) {
      if (data && data.remaining) {
        extend(data.remaining);
        tick();
      }
    }).catch(function () { window.location.reload(); });
  });

  extend(parseInt(box.dataset.expiry || "3600", 10));
  timer = window.setInterval(tick, 1000);
  tick();
}());

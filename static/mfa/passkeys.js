// Passkeys (issue 24): registration on the settings/enrolment page and the
// login's second step. The server sends WebAuthn options as JSON
// (py_webauthn's options_to_json) and checks what the browser returns.
(function () {
  "use strict";

  function b64urlToBuffer(value) {
    const pad = "=".repeat((4 - (value.length % 4)) % 4);
    const binary = atob((value + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
  }

  function bufferToB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    bytes.forEach((b) => { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, data: data };
  }

  function descriptors(list) {
    return (list || []).map((c) => Object.assign({}, c, { id: b64urlToBuffer(c.id) }));
  }

  function credentialJSON(credential) {
    const response = credential.response;
    const out = { id: credential.id, rawId: bufferToB64url(credential.rawId), type: credential.type, response: {} };
    ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"].forEach((key) => {
      if (response[key]) { out.response[key] = bufferToB64url(response[key]); }
    });
    if (response.getTransports) { out.response.transports = response.getTransports(); }
    out.clientExtensionResults = credential.getClientExtensionResults ? credential.getClientExtensionResults() : {};
    return out;
  }

  function showError(box, message) {
    if (!box) { return; }
    box.textContent = message;
    box.hidden = false;
  }

  async function register(button) {
    const box = document.getElementById(button.dataset.errorBox);
    const nameField = document.getElementById(button.dataset.nameField);
    const options = await post(button.dataset.optionsUrl);
    if (!options.ok) { showError(box, options.data.error || button.dataset.failed); return; }
    const publicKey = Object.assign({}, options.data, {
      challenge: b64urlToBuffer(options.data.challenge),
      user: Object.assign({}, options.data.user, { id: b64urlToBuffer(options.data.user.id) }),
      excludeCredentials: descriptors(options.data.excludeCredentials),
    });
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: publicKey });
    } catch (err) {
      showError(box, button.dataset.failed);
      return;
    }
    const result = await post(button.dataset.url, { name: nameField ? nameField.value : "", credential: credentialJSON(credential) });
    if (result.ok && result.data.redirect) { window.location.assign(result.data.redirect); return; }
    showError(box, result.data.error || button.dataset.failed);
  }

  async function login(button) {
    const box = document.getElementById(button.dataset.errorBox);
    const options = await post(button.dataset.optionsUrl);
    if (options.data.redirect) { window.location.assign(options.data.redirect); return; }
    const publicKey = Object.assign({}, options.data, {
      challenge: b64urlToBuffer(options.data.challenge),
      allowCredentials: descriptors(options.data.allowCredentials),
    });
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey: publicKey });
    } catch (err) {
      showError(box, button.dataset.failed);
      return;
    }
    const result = await post(button.dataset.url, { credential: credentialJSON(credential), next: button.dataset.next || "" });
    if (result.data.redirect) { window.location.assign(result.data.redirect); return; }
    showError(box, result.data.error || button.dataset.failed);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-passkey]").forEach((button) => {
      if (!supported) {
        button.disabled = true;
        showError(document.getElementById(button.dataset.errorBox), button.dataset.unsupported);
        return;
      }
      button.addEventListener("click", (event) => {
        event.preventDefault();
        (button.dataset.passkey === "register" ? register : login)(button);
      });
    });
  });
})();

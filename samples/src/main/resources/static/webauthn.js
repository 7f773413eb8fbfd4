// Bulwark Notes: passkey ceremonies through the starter's WebAuthn endpoints (/bulwark/webauthn).
// The server sends WebAuthn options as JSON (binary fields in base64url); this script converts
// them, calls navigator.credentials and posts the result back with the page's CSRF token.
(function () {
  'use strict';
  var BASE = '/bulwark/webauthn';
  var meta = document.querySelector('meta[name="csrf"]');
  var csrf = meta ? meta.content : '';
  var MESSAGES = {
    authentication_failed: 'The passkey was not accepted. Try again.',
    registration_failed: 'The passkey was not accepted. Try again.',
    step_up_required: "For your safety, confirm it's you first (password and code, or a passkey).",
    authentication_required: 'Your session has ended: sign in again.',
    session_limit_reached: 'Too many sessions are open for this account.',
    csrf_token_invalid: 'The page is out of date: reload it and try again.'
  };

  function toBuffer(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toBase64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function Refused(code) {
    this.code = code;
    this.message = MESSAGES[code] || 'The server refused the request.';
  }

  async function post(path, body) {
    var res = await fetch(BASE + path, { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body || {}) });
    var data;
    try { data = await res.json(); } catch (e) { data = {}; }
    if (!res.ok) { throw new Refused(data.error); }
    return data;
  }

  function decodeList(list) {
    (list || []).forEach(function (c) { c.id = toBuffer(c.id); });
  }

  async function register() {
    var start = await post('/register/options');
    var pk = start.options.publicKey;
    pk.challenge = toBuffer(pk.challenge);
    pk.user.id = toBuffer(pk.user.id);
    decodeList(pk.excludeCredentials);
    var cred = await navigator.credentials.create({ publicKey: pk });
    var credential = {
      type: cred.type, id: cred.id, rawId: toBase64url(cred.rawId),
      response: {
        clientDataJSON: toBase64url(cred.response.clientDataJSON),
        attestationObject: toBase64url(cred.response.attestationObject),
        transports: cred.response.getTransports ? cred.response.getTransports() : []
      },
      clientExtensionResults: cred.getClientExtensionResults()
    };
    await post('/register/finish', { ceremonyId: start.ceremonyId, credential: credential });
    return { message: 'Passkey registered.', redirect: '/notes?m=passkey' };
  }

  // A passkey sign-in; for a signed-in user the same ceremony is a step-up of the session.
  async function authenticate(next) {
    var start = await post('/authenticate/options');
    var pk = start.options.publicKey;
    pk.challenge = toBuffer(pk.challenge);
    decodeList(pk.allowCredentials);
    var cred = await navigator.credentials.get({ publicKey: pk });
    var response = {
      clientDataJSON: toBase64url(cred.response.clientDataJSON),
      authenticatorData: toBase64url(cred.response.authenticatorData),
      signature: toBase64url(cred.response.signature)
    };
    if (cred.response.userHandle) { response.userHandle = toBase64url(cred.response.userHandle); }
    var credential = { type: cred.type, id: cred.id, rawId: toBase64url(cred.rawId), response: response,
      clientExtensionResults: cred.getClientExtensionResults() };
    var done = await post('/authenticate/finish', { ceremonyId: start.ceremonyId, credential: credential });
    if (!done.stepUp) { return { message: 'Signed in.', redirect: '/notes' }; }
    return { message: 'Verified.', redirect: next ? next + '?m=confirmed' : '/admin?m=verified' };
  }

  function status(text, ok) {
    var el = document.getElementById('webauthn-status');
    if (el) { el.textContent = text; el.className = ok ? 'flash ok' : 'flash error'; }
  }

  document.querySelectorAll('[data-webauthn]').forEach(function (button) {
    button.addEventListener('click', async function () {
      if (!window.PublicKeyCredential) {
        status('This browser does not support passkeys.', false);
        return;
      }
      button.disabled = true;
      status('Follow the prompt of your browser or security key...', true);
      try {
        var kind = button.getAttribute('data-webauthn');
        var result = kind === 'register' ? await register() : await authenticate(button.getAttribute('data-next'));
        status(result.message, true);
        window.location.assign(result.redirect);
      } catch (e) {
        if (e instanceof Refused && e.code === 'step_up_required') {
          // A fresh confirmation first (for example before a passkey is added).
          window.location.assign('/reauth?next=/enroll/passkey');
          return;
        }
        var msg = e && e.name === 'NotAllowedError' ? 'The passkey prompt was cancelled or timed out.' : (e.message || String(e));
        status(msg, false);
        button.disabled = false;
      }
    });
  });
})();

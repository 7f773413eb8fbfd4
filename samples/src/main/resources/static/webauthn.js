// Bulwark Notes: passkey ceremonies. The server sends WebAuthn options as JSON (binary fields in
// base64url); this script converts them, calls navigator.credentials and posts the result back.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf"]');
  var csrf = meta ? meta.content : '';

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

  async function post(url, body, ceremony) {
    var headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
    if (ceremony) { headers['X-Ceremony'] = ceremony; }
    var res = await fetch(url, { method: 'POST', headers: headers, body: body || '{}', credentials: 'same-origin' });
    var data;
    try { data = await res.json(); } catch (e) { data = {}; }
    if (!res.ok && data.redirect) {
      // The server wants a fresh confirmation first (for example before a passkey is added).
      window.location.assign(data.redirect);
    }
    if (!res.ok) { throw new Error(data.error || 'The server refused the request.'); }
    return data;
  }

  function decodeList(list) {
    (list || []).forEach(function (c) { c.id = toBuffer(c.id); });
  }

  async function register() {
    var start = await post('/webauthn/register/start');
    var pk = start.options.publicKey;
    pk.challenge = toBuffer(pk.challenge);
    pk.user.id = toBuffer(pk.user.id);
    decodeList(pk.excludeCredentials);
    var cred = await navigator.credentials.create({ publicKey: pk });
    var body = {
      type: cred.type, id: cred.id, rawId: toBase64url(cred.rawId),
      response: {
        clientDataJSON: toBase64url(cred.response.clientDataJSON),
        attestationObject: toBase64url(cred.response.attestationObject),
        transports: cred.response.getTransports ? cred.response.getTransports() : []
      },
      clientExtensionResults: cred.getClientExtensionResults()
    };
    return post('/webauthn/register/finish', JSON.stringify(body), start.ceremonyId);
  }

  async function authenticate(prefix, next) {
    var start = await post(prefix + '/start');
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
    var body = { type: cred.type, id: cred.id, rawId: toBase64url(cred.rawId), response: response,
      clientExtensionResults: cred.getClientExtensionResults() };
    var finish = prefix + '/finish' + (next ? '?next=' + encodeURIComponent(next) : '');
    return post(finish, JSON.stringify(body), start.ceremonyId);
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
        var result = kind === 'register' ? await register()
          : await authenticate(kind === 'login' ? '/webauthn/login' : '/webauthn/stepup', button.getAttribute('data-next'));
        status(result.message || 'Done.', true);
        if (result.redirect) { window.location.assign(result.redirect); }
      } catch (e) {
        var msg = e && e.name === 'NotAllowedError' ? 'The passkey prompt was cancelled or timed out.' : (e.message || String(e));
        status(msg, false);
        button.disabled = false;
      }
    });
  });
})();

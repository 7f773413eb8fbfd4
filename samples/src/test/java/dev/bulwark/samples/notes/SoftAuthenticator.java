package dev.bulwark.samples.notes;

import dev.bulwark.testing.webauthn.VirtualAuthenticator;

/**
 * A software passkey for the HTTP test (the browser IT uses Chromium's virtual authenticator):
 * bulwark-testing's {@link VirtualAuthenticator} (one P-256 credential, "none" attestation, user
 * present and verified), fed the {@code options} of the app's ceremony responses
 * ({@code {"ceremonyId":…,"options":{"publicKey":…}}}), answering with the JSON the app's
 * webauthn.js posts.
 */
final class SoftAuthenticator {

  private final VirtualAuthenticator authenticator;

  SoftAuthenticator(String origin) {
    this.authenticator = new VirtualAuthenticator(origin);
  }

  /** The registration JSON answering {@code startJson} (the starter's /bulwark/webauthn/register/options). */
  String register(String startJson) {
    return authenticator.register(options(startJson));
  }

  /** The assertion JSON answering {@code startJson} (/bulwark/webauthn/authenticate/options). */
  String assertion(String startJson) {
    return authenticator.authenticate(options(startJson));
  }

  private static String options(String startJson) {
    String key = "\"options\":";
    int start = startJson.indexOf(key);
    int end = startJson.lastIndexOf('}');
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("no ceremony options in " + startJson);
    }
    return startJson.substring(start + key.length(), end);
  }
}

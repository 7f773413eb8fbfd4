package dev.bulwark.authn.webauthn;

import java.util.Objects;

/**
 * A started ceremony: send both values to the browser; it passes {@code optionsJson} to
 * {@code navigator.credentials.create()/get()} (after base64url decoding, e.g. with
 * {@code PublicKeyCredential.parseCreationOptionsFromJSON}) and returns the result together with
 * {@code id} to the finish call.
 *
 * @param id the ceremony id (random, 32 hex characters); the state stays on the server
 * @param optionsJson {@code {"publicKey": {...}}} as Yubico's {@code toCredentialsCreateJson()} /
 *     {@code toCredentialsGetJson()} writes it
 */
public record Ceremony(String id, String optionsJson) {
  public Ceremony {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(optionsJson, "optionsJson");
  }
}

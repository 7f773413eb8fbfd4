package dev.bulwark.authn.webauthn;

import java.util.Objects;

/** A WebAuthn ceremony failed; no credential was stored and no login happened. */
public final class WebAuthnException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** The ceremony id is unknown, expired, or was already used (challenges are single-use). */
    UNKNOWN_CEREMONY,
    /** The browser's response is not valid PublicKeyCredential JSON. */
    MALFORMED_RESPONSE,
    /**
     * The response failed verification: challenge, origin, RP id hash, flags (user presence or the
     * required user verification), signature, attestation, or credential ownership.
     */
    VERIFICATION_FAILED,
    /** The credential id is registered already (registration), or not at all (authentication). */
    CREDENTIAL_CONFLICT,
    /** The signature counter went backwards and the policy is {@link CounterPolicy#REJECT}. */
    COUNTER_REGRESSED
  }

  private final Reason reason;

  public WebAuthnException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public WebAuthnException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}

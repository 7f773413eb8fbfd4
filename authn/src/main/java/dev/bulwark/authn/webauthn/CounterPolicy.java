package dev.bulwark.authn.webauthn;

/**
 * What to do when an authenticator reports a signature counter that did not grow
 * ({@code new <= stored}, except both 0). A regression can mean a cloned authenticator (WebAuthn
 * §6.1.1), but synced passkeys report 0 forever and some platforms reset counters, so hard
 * rejection breaks real users. In every case the regression emits
 * {@code authn_webauthn_counter_regression}.
 */
public enum CounterPolicy {
  /** Fail the authentication ({@link WebAuthnException.Reason#COUNTER_REGRESSED}). */
  REJECT,
  /** Accept, flag the result ({@link WebAuthnLogin#counterRegressed()}) and emit the event. */
  FLAG
}

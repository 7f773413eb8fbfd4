package dev.bulwark.authn.webauthn;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The relying party's identity and the rules its ceremonies follow.
 *
 * @param rpId the RP id (a registrable domain such as {@code example.com})
 * @param rpName the name shown by the authenticator
 * @param origins the exact origins allowed in clientDataJSON (e.g. {@code https://example.com});
 *     no ports or subdomains beyond these
 * @param userVerification {@code REQUIRED} by default: a PIN or biometric on every use, so the
 *     credential alone is multi-factor
 * @param residentKey {@code PREFERRED} by default: passkeys where the authenticator can
 * @param attestation {@code NONE} by default (privacy; most services need no attestation)
 * @param allowUntrustedAttestation accept registrations whose attestation does not chain to a
 *     trusted root (required {@code true} with {@code NONE})
 * @param challengeTimeout how long a started ceremony may be finished (default 5 min, ASVS 6.5.5
 *     allows up to 10)
 * @param counterPolicy what a regressing signature counter does
 */
public record WebAuthnPolicy(
    String rpId,
    String rpName,
    Set<String> origins,
    UserVerification userVerification,
    ResidentKey residentKey,
    Attestation attestation,
    boolean allowUntrustedAttestation,
    Duration challengeTimeout,
    CounterPolicy counterPolicy) {

  public WebAuthnPolicy {
    Objects.requireNonNull(rpId, "rpId");
    Objects.requireNonNull(rpName, "rpName");
    if (rpId.isEmpty() || rpName.isEmpty()) {
      throw new IllegalArgumentException("rpId and rpName must not be empty");
    }
    origins = Set.copyOf(origins);
    if (origins.isEmpty()) {
      throw new IllegalArgumentException("at least one origin is needed");
    }
    for (String o : origins) {
      requireOrigin(o);
    }
    Objects.requireNonNull(userVerification, "userVerification");
    Objects.requireNonNull(residentKey, "residentKey");
    Objects.requireNonNull(attestation, "attestation");
    Objects.requireNonNull(challengeTimeout, "challengeTimeout");
    if (challengeTimeout.isNegative() || challengeTimeout.isZero() || challengeTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("challengeTimeout must be positive and at most 10 minutes");
    }
    Objects.requireNonNull(counterPolicy, "counterPolicy");
  }

  /** Hosts that may be served over plain http (development on this machine). */
  private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

  /**
   * An origin exactly as a browser serialises it: {@code https://host} or {@code https://host:port}
   * in lower case, nothing before the host and nothing after it (no user, path, trailing slash,
   * query or fragment); plain {@code http} only for {@code localhost}, {@code 127.0.0.1} and
   * {@code [::1]} themselves. Parsed, not prefix-matched: {@code http://localhost.attacker.example}
   * and {@code http://localhost@attacker.example} are refused.
   */
  private static void requireOrigin(String origin) {
    Objects.requireNonNull(origin, "origin");
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not an origin: " + origin, e);
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null || host == null || host.isEmpty() || uri.getRawUserInfo() != null
        || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("an origin is scheme://host[:port] and nothing else: " + origin);
    }
    String serialised = scheme + "://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    if (!serialised.equals(origin) || !origin.equals(origin.toLowerCase(Locale.ROOT))
        || (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535))) {
      throw new IllegalArgumentException("origin must be in the browser's serialised form (lower case, no default "
          + "extras): " + origin);
    }
    if (scheme.equals("https")) {
      return;
    }
    if (scheme.equals("http") && LOOPBACK_HOSTS.contains(host)) {
      return;
    }
    throw new IllegalArgumentException(
        "origins must be https, or http on localhost, 127.0.0.1 or [::1] for development: " + origin);
  }

  /** Secure defaults for {@code rpId} served at {@code origin}: UV required, passkeys preferred, no attestation, 5 min, FLAG. */
  public static WebAuthnPolicy of(String rpId, String rpName, String origin) {
    return new WebAuthnPolicy(rpId, rpName, Set.of(origin), UserVerification.REQUIRED,
        ResidentKey.PREFERRED, Attestation.NONE, true, Duration.ofMinutes(5),
        CounterPolicy.FLAG);
  }

  public WebAuthnPolicy withUserVerification(UserVerification uv) {
    return new WebAuthnPolicy(rpId, rpName, origins, uv, residentKey, attestation, allowUntrustedAttestation,
        challengeTimeout, counterPolicy);
  }

  public WebAuthnPolicy withResidentKey(ResidentKey rk) {
    return new WebAuthnPolicy(rpId, rpName, origins, userVerification, rk, attestation, allowUntrustedAttestation,
        challengeTimeout, counterPolicy);
  }

  public WebAuthnPolicy withAttestation(Attestation a, boolean allowUntrusted) {
    return new WebAuthnPolicy(rpId, rpName, origins, userVerification, residentKey, a, allowUntrusted,
        challengeTimeout, counterPolicy);
  }

  public WebAuthnPolicy withChallengeTimeout(Duration timeout) {
    return new WebAuthnPolicy(rpId, rpName, origins, userVerification, residentKey, attestation,
        allowUntrustedAttestation, timeout, counterPolicy);
  }

  public WebAuthnPolicy withCounterPolicy(CounterPolicy policy) {
    return new WebAuthnPolicy(rpId, rpName, origins, userVerification, residentKey, attestation,
        allowUntrustedAttestation, challengeTimeout, policy);
  }

  /** Whether the authenticator must verify the user (PIN, biometrics): WebAuthn's {@code userVerification}. */
  public enum UserVerification {
    REQUIRED,
    PREFERRED,
    DISCOURAGED
  }

  /** Whether the credential should be discoverable (a passkey): WebAuthn's {@code residentKey}. */
  public enum ResidentKey {
    REQUIRED,
    PREFERRED,
    DISCOURAGED
  }

  /** What attestation the relying party asks for: WebAuthn's {@code attestation} conveyance. */
  public enum Attestation {
    NONE,
    INDIRECT,
    DIRECT,
    ENTERPRISE
  }
}

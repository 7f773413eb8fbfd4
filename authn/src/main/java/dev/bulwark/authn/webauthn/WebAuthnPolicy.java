package dev.bulwark.authn.webauthn;

import com.yubico.webauthn.data.AttestationConveyancePreference;
import com.yubico.webauthn.data.ResidentKeyRequirement;
import com.yubico.webauthn.data.UserVerificationRequirement;
import java.time.Duration;
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
    UserVerificationRequirement userVerification,
    ResidentKeyRequirement residentKey,
    AttestationConveyancePreference attestation,
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
      if (!o.startsWith("https://") && !o.startsWith("http://localhost")) {
        throw new IllegalArgumentException("origins must be https (or http://localhost for development): " + o);
      }
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

  /** Secure defaults for {@code rpId} served at {@code origin}: UV required, passkeys preferred, no attestation, 5 min, FLAG. */
  public static WebAuthnPolicy of(String rpId, String rpName, String origin) {
    return new WebAuthnPolicy(rpId, rpName, Set.of(origin), UserVerificationRequirement.REQUIRED,
        ResidentKeyRequirement.PREFERRED, AttestationConveyancePreference.NONE, true, Duration.ofMinutes(5),
        CounterPolicy.FLAG);
  }

  public WebAuthnPolicy withUserVerification(UserVerificationRequirement uv) {
    return new WebAuthnPolicy(rpId, rpName, origins, uv, residentKey, attestation, allowUntrustedAttestation,
        challengeTimeout, counterPolicy);
  }

  public WebAuthnPolicy withResidentKey(ResidentKeyRequirement rk) {
    return new WebAuthnPolicy(rpId, rpName, origins, userVerification, rk, attestation, allowUntrustedAttestation,
        challengeTimeout, counterPolicy);
  }

  public WebAuthnPolicy withAttestation(AttestationConveyancePreference a, boolean allowUntrusted) {
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
}

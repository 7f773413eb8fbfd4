package dev.bulwark.authn.webauthn.internal;

import com.yubico.webauthn.attestation.AttestationTrustSource;
import com.yubico.webauthn.data.AttestationConveyancePreference;
import com.yubico.webauthn.data.ResidentKeyRequirement;
import com.yubico.webauthn.data.UserVerificationRequirement;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.authn.webauthn.spi.AttestationTrust;
import java.util.Set;

/** Bulwark's WebAuthn settings as Yubico's types; the public API names none of them. */
public final class YubicoTypes {

  private YubicoTypes() {}

  public static UserVerificationRequirement of(WebAuthnPolicy.UserVerification uv) {
    return switch (uv) {
      case REQUIRED -> UserVerificationRequirement.REQUIRED;
      case PREFERRED -> UserVerificationRequirement.PREFERRED;
      case DISCOURAGED -> UserVerificationRequirement.DISCOURAGED;
    };
  }

  public static ResidentKeyRequirement of(WebAuthnPolicy.ResidentKey rk) {
    return switch (rk) {
      case REQUIRED -> ResidentKeyRequirement.REQUIRED;
      case PREFERRED -> ResidentKeyRequirement.PREFERRED;
      case DISCOURAGED -> ResidentKeyRequirement.DISCOURAGED;
    };
  }

  public static AttestationConveyancePreference of(WebAuthnPolicy.Attestation a) {
    return switch (a) {
      case NONE -> AttestationConveyancePreference.NONE;
      case INDIRECT -> AttestationConveyancePreference.INDIRECT;
      case DIRECT -> AttestationConveyancePreference.DIRECT;
      case ENTERPRISE -> AttestationConveyancePreference.ENTERPRISE;
    };
  }

  /** {@code trust} as Yubico's trust source. */
  public static AttestationTrustSource of(AttestationTrust trust) {
    return (chain, aaguid) -> {
      Set<java.security.cert.X509Certificate> roots = trust.trustRoots(chain, aaguid.map(RepositoryAdapter::bulwark));
      return AttestationTrustSource.TrustRootsResult.builder().trustRoots(Set.copyOf(roots)).build();
    };
  }
}

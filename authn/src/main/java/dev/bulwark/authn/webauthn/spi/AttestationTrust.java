package dev.bulwark.authn.webauthn.spi;

import dev.bulwark.common.Bytes;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where the root certificates for trusted attestation come from (for example the FIDO Metadata
 * Service, filtered to the authenticator models a deployment accepts). Needed only when
 * {@link dev.bulwark.authn.webauthn.WebAuthnPolicy#allowUntrustedAttestation()} is false.
 *
 * <p>MUST be thread-safe and MUST NOT return null; return an empty set for an authenticator that
 * is not trusted. Exceptions propagate and fail the registration.
 */
@FunctionalInterface
public interface AttestationTrust {

  /**
   * The roots to verify an attestation certificate chain against.
   *
   * @param chain the attestation certificate chain the authenticator sent, leaf first
   * @param aaguid the authenticator model's AAGUID (16 bytes), absent for U2F authenticators
   */
  Set<X509Certificate> trustRoots(List<X509Certificate> chain, Optional<Bytes> aaguid);
}

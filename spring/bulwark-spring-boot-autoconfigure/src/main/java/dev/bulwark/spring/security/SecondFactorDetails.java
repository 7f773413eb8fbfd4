package dev.bulwark.spring.security;

import dev.bulwark.authn.flow.SecondFactorResponse;
import java.io.Serializable;
import java.util.Optional;

/**
 * Authentication details that carry what a login form sent besides the username and password:
 * the client address (for lockout per source) and a second-factor code. Set them on the
 * {@code UsernamePasswordAuthenticationToken}, for example from an
 * {@code AuthenticationDetailsSource} that reads a {@code totp} parameter.
 *
 * @param source the client address, or null if unknown
 * @param totpCode a TOTP code, or null
 * @param recoveryCode a recovery code (used when there is no TOTP code), or null
 */
public record SecondFactorDetails(String source, String totpCode, String recoveryCode) implements Serializable {

  Optional<SecondFactorResponse> response() {
    if (totpCode != null && !totpCode.isBlank()) {
      return Optional.of(SecondFactorResponse.totp(totpCode.strip()));
    }
    if (recoveryCode != null && !recoveryCode.isBlank()) {
      return Optional.of(SecondFactorResponse.recoveryCode(recoveryCode.strip()));
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "SecondFactorDetails[source=" + source + ", code=" + (response().isPresent() ? "(redacted)" : "none") + "]";
  }
}

package dev.bulwark.authn.flow;

import dev.bulwark.authn.Factor;
import java.util.Objects;

/**
 * What the user typed for the second factor: a TOTP code or a recovery code. {@link #toString}
 * is redacted.
 */
public final class SecondFactorResponse {

  private final Factor factor;
  private final String code;

  private SecondFactorResponse(Factor factor, String code) {
    this.factor = factor;
    this.code = Objects.requireNonNull(code, "code");
  }

  public static SecondFactorResponse totp(String code) {
    return new SecondFactorResponse(Factor.TOTP, code);
  }

  public static SecondFactorResponse recoveryCode(String code) {
    return new SecondFactorResponse(Factor.RECOVERY_CODE, code);
  }

  public Factor factor() {
    return factor;
  }

  /** The code as typed. */
  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return "SecondFactorResponse[" + factor + ", code=<redacted>]";
  }
}

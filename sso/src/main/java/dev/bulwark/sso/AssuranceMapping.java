package dev.bulwark.sso;

import java.util.List;
import java.util.Locale;

/**
 * Maps the authentication context an identity provider reports (SAML {@code
 * AuthnContextClassRef}, OIDC {@code acr} and {@code amr}) to an {@link SsoAssuranceLevel}.
 *
 * <p>Implementations MUST be thread-safe, MUST NOT return null, and SHOULD return {@link
 * SsoAssuranceLevel#AAL1} for anything they do not recognise: an unknown context never raises the
 * level. Exceptions thrown here refuse the login.
 */
@FunctionalInterface
public interface AssuranceMapping {

  /**
   * @param context the SAML class reference or the OIDC {@code acr}; empty when absent
   * @param methods the OIDC {@code amr} values; empty for SAML
   */
  SsoAssuranceLevel levelFor(String context, List<String> methods);

  /**
   * A conservative default: RFC 8176 {@code hwk} or {@code swk} with a second factor and the
   * phishing-resistant REFEDS/SAML classes give AAL3 (hardware) or AAL2; {@code mfa}, {@code otp},
   * the REFEDS MFA profile and SAML's multi-factor classes give AAL2; everything else AAL1.
   */
  AssuranceMapping DEFAULT =
      (context, methods) -> {
        String c = context.toLowerCase(Locale.ROOT);
        if (methods.contains("hwk") && methods.size() > 1
            || c.equals("phr")
            || c.equals("phrh")
            || c.contains("timesynctoken")
            || c.contains("smartcardpki")) {
          return SsoAssuranceLevel.AAL3;
        }
        if (methods.contains("mfa")
            || methods.contains("otp")
            || methods.contains("hwk")
            || c.equals("https://refeds.org/profile/mfa")
            || c.contains("multifactor")
            || c.contains("mobiletwofactor")) {
          return SsoAssuranceLevel.AAL2;
        }
        return SsoAssuranceLevel.AAL1;
      };
}

package dev.bulwark.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AssuranceMappingTest {

  @Test
  void passwordOnly_isAal1() {
    assertEquals(SsoAssuranceLevel.AAL1, AssuranceMapping.DEFAULT.levelFor(
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", List.of()));
    assertEquals(SsoAssuranceLevel.AAL1, AssuranceMapping.DEFAULT.levelFor("", List.of("pwd")));
  }

  @Test
  void multiFactor_isAal2_andHardwarePlusSecondFactor_isAal3() {
    assertEquals(SsoAssuranceLevel.AAL2, AssuranceMapping.DEFAULT.levelFor("https://refeds.org/profile/mfa", List.of()));
    assertEquals(SsoAssuranceLevel.AAL2, AssuranceMapping.DEFAULT.levelFor("", List.of("pwd", "otp")));
    assertEquals(SsoAssuranceLevel.AAL3, AssuranceMapping.DEFAULT.levelFor("", List.of("hwk", "pin")));
    assertEquals(SsoAssuranceLevel.AAL3, AssuranceMapping.DEFAULT.levelFor("phrh", List.of()));
  }

  @Test
  void unknownContext_neverRaisesTheLevel() {
    assertEquals(SsoAssuranceLevel.AAL1, AssuranceMapping.DEFAULT.levelFor("urn:example:super-secure", List.of("x")));
  }
}

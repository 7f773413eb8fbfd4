package dev.bulwark.sso.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.sso.TestKeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class IdpMetadataTest {

  static String metadata(String keyDescriptors, boolean wantSigned) {
    return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
        + " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.example/\">"
        + "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"" + wantSigned + "\""
        + " protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
        + keyDescriptors
        + "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://idp.example/slo\"/>"
        + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://idp.example/sso-post\"/>"
        + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://idp.example/sso\"/>"
        + "</md:IDPSSODescriptor></md:EntityDescriptor>";
  }

  static String key(String use) throws Exception {
    return "<md:KeyDescriptor" + (use == null ? "" : " use=\"" + use + "\"") + "><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
        + Base64.getMimeEncoder().encodeToString(TestKeys.IDP_CERT.getEncoded())
        + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
  }

  static IdpMetadata parse(String xml) throws InvalidMetadataException {
    return IdpMetadata.parse(xml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void signingKeyAndEndpoints_areRead() throws Exception {
    IdpMetadata m = parse(metadata(key("signing"), true));
    assertEquals("https://idp.example/", m.entityId());
    assertEquals(TestKeys.IDP_CERT.getPublicKey(), m.signingKeys().get(0));
    assertEquals(URI.create("https://idp.example/sso"), m.singleSignOnRedirect().orElseThrow());
    assertEquals(URI.create("https://idp.example/sso-post"), m.singleSignOnPost().orElseThrow());
    assertEquals(URI.create("https://idp.example/slo"), m.singleLogoutRedirect().orElseThrow());
    assertTrue(m.wantAuthnRequestsSigned());
  }

  @Test
  void keyWithoutUse_isASigningKey() throws Exception {
    assertEquals(1, parse(metadata(key(null), false)).signingKeys().size());
    assertFalse(parse(metadata(key(null), false)).wantAuthnRequestsSigned());
  }

  @Test
  void noSigningKey_isAnError_neverSkipValidation() throws Exception {
    assertThrows(InvalidMetadataException.class, () -> parse(metadata("", false)));
    assertThrows(InvalidMetadataException.class, () -> parse(metadata(key("encryption"), false)));
  }

  @Test
  void badInput_isTyped() {
    assertThrows(InvalidMetadataException.class, () -> parse("<x/>"));
    assertThrows(InvalidMetadataException.class, () -> parse("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"));
    assertThrows(InvalidMetadataException.class, () -> parse(metadata(
        "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate>"
            + "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>", false)));
  }
}

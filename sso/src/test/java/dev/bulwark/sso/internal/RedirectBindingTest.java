package dev.bulwark.sso.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class RedirectBindingTest {

  static final List<PublicKey> KEYS = List.of(TestKeys.IDP_CERT.getPublicKey());
  static final String XML = "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>";

  static RefusalReason refusal(String query) {
    return assertThrows(SsoRefusedException.class,
        () -> RedirectBinding.decodeSigned(query, "SAMLResponse", KEYS, 10_000)).reason();
  }

  @Test
  void signedQuery_roundTrips() throws SsoRefusedException {
    String q = RedirectBinding.encode("SAMLResponse", XML, "state/with spaces&more", TestKeys.IDP_KEY);
    assertEquals(XML, new String(RedirectBinding.decodeSigned(q, "SAMLResponse", KEYS, 10_000), StandardCharsets.UTF_8));
  }

  @Test
  void signatureIsOverTheRawQuery_reencodingBreaksIt() {
    String q = RedirectBinding.encode("SAMLResponse", XML, "a b", TestKeys.IDP_KEY);
    // Same decoded values, different encoding: a verifier that re-encodes would accept this.
    String reencoded = q.replace("RelayState=a+b", "RelayState=a%20b");
    assertEquals(RefusalReason.SIGNATURE_INVALID, refusal(reencoded));
  }

  @Test
  void tamperedRelayState_orUnsigned_orWrongKey_isRefused() {
    String q = RedirectBinding.encode("SAMLResponse", XML, "a", TestKeys.IDP_KEY);
    assertEquals(RefusalReason.SIGNATURE_INVALID, refusal(q.replace("RelayState=a", "RelayState=b")));
    assertEquals(RefusalReason.UNSIGNED, refusal(RedirectBinding.encode("SAMLResponse", XML, "a", null)));
    assertEquals(RefusalReason.SIGNATURE_INVALID,
        refusal(RedirectBinding.encode("SAMLResponse", XML, "a", TestKeys.SP_KEY)));
    assertEquals(RefusalReason.MALFORMED, refusal(q + "&SAMLResponse=x"));
  }

  @Test
  void sha1SigAlg_isForbidden() {
    String q = RedirectBinding.encode("SAMLResponse", XML, "", TestKeys.IDP_KEY)
        .replace("rsa-sha256", "rsa-sha1").replace("xmldsig-more%23rsa-sha1", "xmldsig%23rsa-sha1");
    assertEquals(RefusalReason.ALGORITHM_FORBIDDEN, refusal(q));
  }

  @Test
  void deflateBomb_isTooLarge() {
    byte[] zeros = new byte[5_000_000];
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(zeros);
    d.finish();
    byte[] buf = new byte[100_000];
    int n = d.deflate(buf);
    d.end();
    byte[] bomb = java.util.Arrays.copyOf(buf, n);
    assertEquals(RefusalReason.TOO_LARGE, assertThrows(SsoRefusedException.class,
        () -> RedirectBinding.inflate(bomb, 100_000)).reason());
  }
}

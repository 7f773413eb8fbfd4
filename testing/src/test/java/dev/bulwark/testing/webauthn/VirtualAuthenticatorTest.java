package dev.bulwark.testing.webauthn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The authenticator reads a relying party's options as a browser would (whitespace, escapes,
 * fields in any order, extra fields) and signs what it says it signs. Full ceremonies against
 * bulwark-authn's verifier run in authn's and testkit's tests.
 */
class VirtualAuthenticatorTest {

  private static final String ORIGIN = "https://app.example.com";

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Test
  void registers_thenAuthenticatesWithTheAllowedCredential() throws Exception {
    VirtualAuthenticator a = new VirtualAuthenticator(ORIGIN);
    byte[] challenge = {1, 2, 3, 4};
    String create = "{ \"publicKey\" : {\"rp\":{\"name\":\"Ex\\u0061mple\",\"id\":\"app.example.com\"},"
        + "\n\t\"user\":{\"id\":\"" + b64(new byte[] {9, 9}) + "\",\"name\":\"alice\",\"displayName\":\"A \\\"Q\\\"\"},"
        + "\"challenge\":\"" + b64(challenge) + "\",\"pubKeyCredParams\":[{\"type\":\"public-key\",\"alg\":-7}],"
        + "\"timeout\":300000,\"excludeCredentials\":[],\"extensions\":{\"credProps\":true},\"hints\":null}}";
    String registration = a.register(create);
    VirtualAuthenticator.Credential c = a.credentials().get(0);
    assertTrue(registration.contains("\"id\":\"" + c.idBase64Url() + "\""));
    assertArrayEquals(new byte[] {9, 9}, c.userHandle);
    assertEquals("app.example.com", c.rpId);

    byte[] challenge2 = {7, 7, 7};
    String get = "{\"publicKey\":{\"challenge\":\"" + b64(challenge2) + "\",\"rpId\":\"app.example.com\","
        + "\"allowCredentials\":[{\"type\":\"public-key\",\"id\":\"" + c.idBase64Url() + "\"}],"
        + "\"userVerification\":\"required\"}}";
    String assertion = a.authenticate(get);
    assertEquals(1, c.counter);
    byte[] clientData = Base64.getUrlDecoder().decode(field(assertion, "clientDataJSON"));
    assertTrue(new String(clientData, StandardCharsets.UTF_8).contains("\"challenge\":\"" + b64(challenge2) + "\""));
    byte[] authData = Base64.getUrlDecoder().decode(field(assertion, "authenticatorData"));
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(c.keyPair.getPublic());
    verify.update(VirtualAuthenticator.concat(authData, VirtualAuthenticator.sha256(clientData)));
    assertTrue(verify.verify(Base64.getUrlDecoder().decode(field(assertion, "signature"))));
  }

  @Test
  void refusesOptionsThatAreNotJson_orLackTheFields() {
    VirtualAuthenticator a = new VirtualAuthenticator(ORIGIN);
    assertThrows(IllegalArgumentException.class, () -> a.register("{\"publicKey\":{"));
    assertThrows(IllegalArgumentException.class, () -> a.register("{\"publicKey\":{}} trailing"));
    assertThrows(IllegalArgumentException.class, () -> a.register("{\"publicKey\":{\"challenge\":12}}"));
    assertThrows(IllegalArgumentException.class, () -> a.register("{\"publicKey\":[nope]}"));
    assertThrows(IllegalStateException.class,
        () -> a.authenticate("{\"publicKey\":{\"challenge\":\"AQ\",\"rpId\":\"other.example\"}}"));
  }

  private static String field(String json, String name) {
    int i = json.indexOf("\"" + name + "\":\"") + name.length() + 4;
    return json.substring(i, json.indexOf('"', i));
  }
}

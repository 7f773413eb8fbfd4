package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spring.sso.SsoAccountMapper;
import dev.bulwark.spring.sso.SsoEndpoints;
import dev.bulwark.spring.sso.SsoRegistration;
import dev.bulwark.spring.sso.SsoRegistrations;
import dev.bulwark.sso.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class BulwarkSsoAutoConfigurationTest {

  @TempDir
  static Path dir;
  static String keyPem;
  static String certPem;
  static Path metadata;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BulwarkAuditAutoConfiguration.class, BulwarkAuthnAutoConfiguration.class,
          BulwarkSsoAutoConfiguration.class))
      .withPropertyValues(TestSecrets.all());

  @BeforeAll
  static void keys() throws Exception {
    Path store = dir.resolve("k.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "k", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=test", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("k", "changeit".toCharArray());
    X509Certificate cert = (X509Certificate) ks.getCertificate("k");
    keyPem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    String certB64 = Base64.getEncoder().encodeToString(cert.getEncoded());
    certPem = "-----BEGIN CERTIFICATE-----\n" + certB64 + "\n-----END CERTIFICATE-----\n";
    metadata = dir.resolve("idp.xml");
    Files.writeString(metadata, "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
        + "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.example/\"><md:IDPSSODescriptor "
        + "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"><md:KeyDescriptor use=\"signing\">"
        + "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + certB64 + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
        + "</md:KeyDescriptor><md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
        + "Location=\"https://idp.example/slo\"/><md:SingleSignOnService "
        + "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://idp.example/sso\"/>"
        + "</md:IDPSSODescriptor></md:EntityDescriptor>");
  }

  private static String[] saml(String... more) {
    String[] base = {
        "bulwark.sso.base-url=https://app.example",
        "bulwark.sso.cookie-key=" + TestSecrets.random(32),
        "bulwark.sso.saml.corp.idp-metadata=file:" + metadata,
        "bulwark.sso.saml.corp.signing-key=" + keyPem,
        "bulwark.sso.saml.corp.signing-certificate=" + certPem,
        "bulwark.sso.oidc.login.issuer=https://login.example/realms/x",
        "bulwark.sso.oidc.login.client-id=app",
        "bulwark.sso.oidc.login.client-secret=s3cret-value",
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private static BulwarkConfigurationException failure(Throwable t) {
    for (; t != null; t = t.getCause()) {
      if (t instanceof BulwarkConfigurationException e) {
        return e;
      }
    }
    throw new AssertionError("no BulwarkConfigurationException");
  }

  @Test
  void withoutSsoProperties_nothingIsConfigured() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(SsoEndpoints.class).doesNotHaveBean(SsoRegistrations.class);
    });
  }

  @Test
  void samlAndOidc_fromProperties_withARefusingMapperByDefault() {
    runner.withPropertyValues(saml("bulwark.sso.saml.corp.label=Corporate SSO")).run(context -> {
      assertThat(context).hasNotFailed();
      SsoRegistrations regs = context.getBean(SsoRegistrations.class);
      assertThat(regs.all()).extracting(SsoRegistration::id).containsExactly("corp", "login");
      assertThat(regs.find("corp").orElseThrow().label()).isEqualTo("Corporate SSO");
      assertThat(regs.find("login").orElseThrow().protocol()).isEqualTo(Protocol.OIDC);
      assertThat(regs.find("corp").orElseThrow().loginPath()).isEqualTo("/sso/corp/login");
      assertThat(context.getBean(SsoAccountMapper.class)).isSameAs(SsoAccountMapper.REFUSE_ALL);
      assertThat(context).hasSingleBean(SsoEndpoints.class);
      String shown = context.getBean(BulwarkSsoProperties.class).toString();
      assertThat(shown).doesNotContain("s3cret-value").doesNotContain("PRIVATE KEY").contains("(redacted)");
    });
  }

  @Test
  void aMissingBaseUrl_stopsStartUpNamingIt() {
    String[] withoutBaseUrl = java.util.Arrays.stream(saml()).filter(p -> !p.startsWith("bulwark.sso.base-url="))
        .toArray(String[]::new);
    runner.withPropertyValues(withoutBaseUrl).run(context -> {
      assertThat(context).hasFailed();
      assertThat(failure(context.getStartupFailure()).property()).isEqualTo("bulwark.sso.base-url");
    });
  }

  @Test
  void aMissingCookieKey_stopsStartUpOutsideDevelopment() {
    runner.withPropertyValues(saml("bulwark.sso.cookie-key=")).run(context -> {
      assertThat(context).hasFailed();
      BulwarkConfigurationException e = failure(context.getStartupFailure());
      assertThat(e.property()).isEqualTo("bulwark.sso.cookie-key");
      assertThat(e.kind()).isEqualTo(BulwarkConfigurationException.Kind.MISSING_SECRET);
    });
  }

  @Test
  void aBrokenSigningKey_stopsStartUpNamingThePropertyButNotTheValue() {
    runner.withPropertyValues(saml("bulwark.sso.saml.corp.signing-key=bm90IGEga2V5LCBzZWNyZXQtbWFya2Vy"))
        .run(context -> {
          assertThat(context).hasFailed();
          BulwarkConfigurationException e = failure(context.getStartupFailure());
          assertThat(e.property()).isEqualTo("bulwark.sso.saml.corp.signing-key");
          assertThat(e.getMessage()).doesNotContain("bm90IGEga2V5LCBzZWNyZXQtbWFya2Vy");
        });
  }

  /**
   * Remote IdP metadata that never ends (chunked, no length) is cut off one byte past 1 MiB with
   * an {@link java.io.IOException}, instead of being read whole into the heap before its size is
   * checked; the server stops only when the client hangs up.
   */
  @Test
  void remoteMetadataWithoutEnd_isCutOffJustPastOneMiB() throws Exception {
    dev.bulwark.testing.http.EndlessAnswer endless = new dev.bulwark.testing.http.EndlessAnswer("application/samlmetadata+xml", " ");
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metadata", endless);
    server.start();
    try {
      java.net.URI url = java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metadata");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> BulwarkSsoAutoConfiguration.fetch(url))
          .isInstanceOf(java.io.IOException.class).hasMessageContaining("larger than 1 MiB");
    } finally {
      server.stop(0);
    }
    assertThat(endless.sent()).isLessThan(1L << 30);
  }

  @Test
  void metadataWithoutASigningKey_stopsStartUp() throws Exception {
    Path bad = dir.resolve("nokey.xml");
    Files.writeString(bad, Files.readString(metadata).replaceAll("<md:KeyDescriptor.*</md:KeyDescriptor>", ""));
    runner.withPropertyValues(saml("bulwark.sso.saml.corp.idp-metadata=file:" + bad)).run(context -> {
      assertThat(context).hasFailed();
      BulwarkConfigurationException e = failure(context.getStartupFailure());
      assertThat(e.property()).isEqualTo("bulwark.sso.saml.corp");
      assertThat(e.getMessage()).contains("signing key");
    });
  }

  @Test
  void anOidcClientWithTwoAuthentications_andABadRegistrationId_areRefused() {
    runner.withPropertyValues(saml("bulwark.sso.oidc.login.private-key=" + keyPem)).run(context -> {
      assertThat(context).hasFailed();
      assertThat(failure(context.getStartupFailure()).property()).isEqualTo("bulwark.sso.oidc.login.client-secret");
    });
    String longId = "a".repeat(33);
    runner.withPropertyValues(saml("bulwark.sso.oidc." + longId + ".issuer=https://x.example/",
        "bulwark.sso.oidc." + longId + ".client-id=a", "bulwark.sso.oidc." + longId + ".client-secret=b")).run(context -> {
          assertThat(context).hasFailed();
          assertThat(failure(context.getStartupFailure()).property()).startsWith("bulwark.sso.oidc.");
        });
  }
}

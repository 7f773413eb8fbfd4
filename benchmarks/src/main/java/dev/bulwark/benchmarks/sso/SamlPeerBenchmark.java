package dev.bulwark.benchmarks.sso;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testkit.sso.TestIdp;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.w3c.dom.Document;

/**
 * Bulwark's SAML response validation against OneLogin java-saml 2.9.0's {@code SamlResponse}
 * ({@code isValid} with strict settings and signed assertions wanted, then the name ID and the
 * attributes) on the same bytes: a response whose 2 KiB assertion is signed with RSA-2048 SHA-256
 * by an IdP certificate both are configured with, validated against the real clock.
 *
 * <p>java-saml needs Santuario xmlsec 2.2.x and Bulwark xmlsec 4, so the peer runs in a class loader
 * of its own (parent: the platform loader) built from {@code benchmarks/saml-peer}: its jar and
 * class path come from the system property {@code bulwark.samlPeer.classpath} or, failing that,
 * {@code benchmarks/saml-peer/target/peer.classpath} (written by {@code benchmarks/run-saml-peer}).
 * The two share only JDK types ({@code Function<String, Object>}, {@code Map}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SamlPeerBenchmark {

  static final String SP = "https://app.example/saml";
  static final URI ACS = URI.create("https://app.example/saml/acs");

  private SamlServiceProvider sp;
  private SentRequest sent;
  private String samlResponse;
  private Function<String, Object> peer;
  private Function<String, Object> peerNoSchema;
  private URLClassLoader peerLoader;

  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("saml-peer-bench");
    Path p12 = dir.resolve("idp.p12");
    Process kt = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA", "-alias", "idp",
        "-dname", "CN=idp.test.bulwark.dev", "-validity", "30", "-storetype", "PKCS12",
        "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    kt.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    if (kt.waitFor() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("idp", "changeit".toCharArray());
    X509Certificate cert = (X509Certificate) ks.getCertificate("idp");
    Files.delete(p12);
    Files.delete(dir);

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    IdpMetadata metadata = IdpMetadata.of(TestIdp.ENTITY_ID, List.of(cert.getPublicKey()), TestIdp.SSO,
        Optional.of(TestIdp.SLO), false);
    sp = SamlServiceProvider.builder(SP, ACS, metadata)
        .clock(Clock.systemUTC())
        .replayCache((issuer, id, expiresAt) -> true)
        .build();
    sent = new SentRequest("_request-1", now);
    TestIdp idp = new TestIdp();
    TestIdp.Spec spec = idp.spec(SP, ACS, sent.id(), now);
    spec.notOnOrAfter = now.plus(2, ChronoUnit.HOURS);
    for (int i = 0; i < 12; i++) {
      spec.attributes.put("urn:oid:1.3.6.1.4.1.5923.1.1.1." + i,
          new ArrayList<>(List.of("value-" + i + "-abcdefghijklmnopqrstuvwxyz")));
    }
    Document d = TestIdp.build(spec);
    TestIdp.Signing signing = idp.signing();
    signing.signingKey = key;
    TestIdp.sign(TestIdp.assertion(d), signing);
    samlResponse = Base64.getEncoder().encodeToString(TestIdp.bytes(d));

    peerLoader = new URLClassLoader(peerClassPath(), ClassLoader.getPlatformClassLoader());
    String certificate = Base64.getEncoder().encodeToString(cert.getEncoded());
    peer = peer(certificate, "true");
    peerNoSchema = peer(certificate, "false");
    // All must accept the response before anything is measured.
    validateBulwark();
    validateJavaSaml();
    validateJavaSamlWithoutSchema();
  }

  private Function<String, Object> peer(String certificate, String schema) throws ReflectiveOperationException {
    @SuppressWarnings("unchecked")
    Function<String, Object> loaded = (Function<String, Object>) peerLoader
        .loadClass("dev.bulwark.benchmarks.samlpeer.OneLoginValidator")
        .getConstructor(Map.class)
        .newInstance(Map.of("sp", SP, "acs", ACS.toString(), "idp", TestIdp.ENTITY_ID, "sso", TestIdp.SSO.toString(),
            "cert", certificate, "request", sent.id(), "schema", schema));
    return loaded;
  }

  @TearDown
  public void tearDown() throws IOException {
    peerLoader.close();
  }

  static URL[] peerClassPath() throws IOException {
    String cp = System.getProperty("bulwark.samlPeer.classpath");
    if (cp == null) {
      Path file = Path.of("benchmarks/saml-peer/target/peer.classpath");
      if (!Files.exists(file)) {
        throw new IllegalStateException("java-saml peer not built: run benchmarks/run-saml-peer");
      }
      cp = Files.readString(file).strip();
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : cp.split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        try {
          urls.add(Path.of(entry).toUri().toURL());
        } catch (MalformedURLException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    if (urls.stream().noneMatch(u -> u.getPath().contains("xmlsec-2."))) {
      throw new IllegalStateException("the peer class path must carry java-saml's xmlsec 2.x");
    }
    return urls.toArray(URL[]::new);
  }

  @Benchmark
  @ComparedWith({
      "dev.bulwark.benchmarks.sso.SamlPeerBenchmark.validateJavaSaml",
      "dev.bulwark.benchmarks.sso.SamlPeerBenchmark.validateJavaSamlWithoutSchema"})
  public VerifiedIdentity validateBulwark() throws SsoRefusedException {
    return sp.validate(samlResponse, sent);
  }

  /** java-saml with its defaults, which include XML Schema validation of every response. */
  @Benchmark
  public Object validateJavaSaml() {
    return peer.apply(samlResponse);
  }

  /** java-saml with {@code want_xml_validation} off: its signature and condition checks only. */
  @Benchmark
  public Object validateJavaSamlWithoutSchema() {
    return peerNoSchema.apply(samlResponse);
  }
}

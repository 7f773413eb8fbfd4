package dev.bulwark.benchmarks.sso;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testkit.sso.TestIdp;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.signature.XMLSignature;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Validating one signed SAML response (an assertion of about 2 KiB, RSA-2048 SHA-256) into a
 * {@code VerifiedIdentity} — size check, hardened parse, shape checks, signature, every condition —
 * compared with one raw Santuario signature verification of the same bytes (parse, register the
 * ID, {@code checkSignatureValue}). The replay cache accepts every ID here so the same response can
 * be validated repeatedly. (onelogin java-saml is not a peer in this run: it needs xmlsec 2.2.x,
 * which cannot share a class path with the xmlsec 4 this module uses.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SamlResponseBenchmark {

  static final String SP = "https://app.example/saml";
  static final URI ACS = URI.create("https://app.example/saml/acs");

  private SamlServiceProvider sp;
  private SentRequest sent;
  private String samlResponse;
  private byte[] xml;
  private java.security.PublicKey key;
  private javax.xml.parsers.DocumentBuilder builder;

  @Setup
  public void setUp() {
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    TestIdp idp = new TestIdp();
    key = idp.key().getPublic();
    sp = SamlServiceProvider.builder(SP, ACS, idp.metadata())
        .clock(Clock.fixed(now, ZoneOffset.UTC))
        .replayCache((issuer, id, expiresAt) -> true)
        .build();
    sent = new SentRequest("_request-1", now);
    TestIdp.Spec spec = idp.spec(SP, ACS, sent.id(), now);
    for (int i = 0; i < 12; i++) {
      spec.attributes.put("urn:oid:1.3.6.1.4.1.5923.1.1.1." + i, new ArrayList<>(List.of("value-" + i + "-abcdefghijklmnopqrstuvwxyz")));
    }
    Document d = TestIdp.build(spec);
    TestIdp.sign(TestIdp.assertion(d), idp.signing());
    xml = TestIdp.bytes(d);
    samlResponse = Base64.getEncoder().encodeToString(xml);
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      builder = factory.newDocumentBuilder();
    } catch (javax.xml.parsers.ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.sso.SamlResponseBenchmark.rawSantuarioVerify")
  public VerifiedIdentity validateResponse() throws SsoRefusedException {
    return sp.validate(samlResponse, sent);
  }

  /**
   * Baseline: parse (with a reused parser, as the validator does), register the assertion's ID,
   * verify its one signature with the known key.
   */
  @Benchmark
  public boolean rawSantuarioVerify() throws Exception {
    builder.reset();
    Document d = builder.parse(new ByteArrayInputStream(xml));
    Element assertion = (Element) d.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion").item(0);
    assertion.setIdAttributeNS(null, "ID", true);
    Element sig = (Element) assertion.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature").item(0);
    return new XMLSignature(sig, "", true).checkSignatureValue(key);
  }
}

package dev.bulwark.sso.internal;

import dev.bulwark.sso.AssuranceMapping;
import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.spi.ReplayCache;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.xml.security.encryption.XMLCipher;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Validates a SAML 2.0 {@code Response} received with the HTTP-POST binding. The order matters:
 * shape (one assertion, unique IDs, no comments, signatures only where they belong), then the
 * signature, then every claim read from the node the signature covered, and the replay cache
 * last so a refused message never consumes an ID.
 */
public final class ResponseValidator {

  static final String SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
  static final String BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
  static final Set<String> DATA_ENCRYPTION =
      Set.of("http://www.w3.org/2009/xmlenc11#aes128-gcm", "http://www.w3.org/2009/xmlenc11#aes256-gcm");
  static final Set<String> KEY_TRANSPORT =
      Set.of("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2009/xmlenc11#rsa-oaep");

  /** Everything the validator compares against. */
  public record Settings(
      String spEntityId,
      String acsUrl,
      String idpEntityId,
      List<PublicKey> idpKeys,
      Optional<PrivateKey> decryptionKey,
      boolean allowSignedResponseOnly,
      Duration clockSkew,
      int maxBytes,
      Clock clock,
      ReplayCache replayCache,
      AssuranceMapping assurance) {}

  private final Settings s;

  public ResponseValidator(Settings settings) {
    this.s = settings;
  }

  /** Validates the base64 {@code SAMLResponse} form value answering request {@code requestId}. */
  public VerifiedIdentity validate(String samlResponse, String requestId) throws SsoRefusedException {
    if (samlResponse.length() > (s.maxBytes() / 3 + 1) * 4 + s.maxBytes() / 38 + 64) {
      throw new SsoRefusedException(RefusalReason.TOO_LARGE, "message exceeds " + s.maxBytes() + " bytes");
    }
    byte[] xml;
    try {
      // Line breaks are allowed (some IdPs wrap base64); anything else outside the alphabet is not.
      xml = java.util.Base64.getDecoder().decode(samlResponse.replaceAll("[\\r\\n\\t ]", ""));
    } catch (IllegalArgumentException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not base64");
    }
    return validateXml(xml, requestId);
  }

  public VerifiedIdentity validateXml(byte[] xml, String requestId) throws SsoRefusedException {
    Document doc = SafeXml.parse(xml, s.maxBytes());
    Element response = doc.getDocumentElement();
    if (!Dom.is(response, Dom.PROTOCOL, "Response")) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not a SAML Response");
    }
    Dom.refuseCommentsAndInstructions(response);
    if (!"2.0".equals(response.getAttributeNS(null, "Version"))) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not SAML 2.0");
    }
    List<Element> assertions = new ArrayList<>();
    List<Element> encrypted = new ArrayList<>();
    collect(response, Dom.ASSERTION, "Assertion", assertions);
    collect(response, Dom.ASSERTION, "EncryptedAssertion", encrypted);
    if (assertions.size() + encrypted.size() != 1
        || (assertions.size() == 1 ? assertions.get(0) : encrypted.get(0)).getParentNode() != response) {
      throw new SsoRefusedException(
          RefusalReason.ASSERTION_COUNT, "expected exactly one assertion directly in the response");
    }
    Optional<Element> responseSig = Dom.optionalChild(response, Dom.DSIG, "Signature");
    Element assertion;
    boolean wasEncrypted = !encrypted.isEmpty();
    if (wasEncrypted) {
      assertion = decrypt(encrypted.get(0));
      Dom.refuseCommentsAndInstructions(assertion);
      List<Element> nested = new ArrayList<>();
      collect(assertion, Dom.ASSERTION, "Assertion", nested);
      collect(assertion, Dom.ASSERTION, "EncryptedAssertion", nested);
      if (!nested.isEmpty()) {
        throw new SsoRefusedException(RefusalReason.ASSERTION_COUNT, "assertion inside the assertion");
      }
    } else {
      assertion = assertions.get(0);
    }
    Set<String> ids = new HashSet<>();
    Dom.requireUniqueIds(response, ids);
    Optional<Element> assertionSig = Dom.optionalChild(assertion, Dom.DSIG, "Signature");
    List<Element> allSigs = new ArrayList<>();
    collect(response, Dom.DSIG, "Signature", allSigs);
    int expected = (responseSig.isPresent() ? 1 : 0) + (assertionSig.isPresent() ? 1 : 0);
    if (allSigs.size() != expected) {
      throw new SsoRefusedException(RefusalReason.UNEXPECTED_SIGNATURE, "signature in an unexpected place");
    }

    // Status, Destination and InResponseTo are checked only after the response signature (when
    // present) verifies; until then nothing in the response is trusted.
    Element signedAssertion;
    if (responseSig.isPresent()) {
      SignatureCheck.verify(responseSig.get(), response, s.idpKeys());
    }
    if (assertionSig.isPresent()) {
      signedAssertion = SignatureCheck.verify(assertionSig.get(), assertion, s.idpKeys());
    } else if (wasEncrypted) {
      throw new SsoRefusedException(RefusalReason.UNSIGNED, "encrypted assertion carries no signature");
    } else if (responseSig.isPresent() && s.allowSignedResponseOnly()) {
      signedAssertion = assertion; // a direct child of the response the verified signature covered
    } else {
      throw new SsoRefusedException(RefusalReason.UNSIGNED, "assertion is not signed");
    }

    Instant now = s.clock().instant();
    Optional<String> responseIssuer = textOf(response, "Issuer");
    if (responseIssuer.isPresent() && !responseIssuer.get().equals(s.idpEntityId())) {
      throw new SsoRefusedException(RefusalReason.ISSUER_MISMATCH, "response issuer is not the identity provider");
    }
    Element status = Dom.child(response, Dom.PROTOCOL, "Status");
    Element code = Dom.child(status, Dom.PROTOCOL, "StatusCode");
    if (!SUCCESS.equals(code.getAttributeNS(null, "Value"))) {
      throw new SsoRefusedException(RefusalReason.STATUS_NOT_SUCCESS, "identity provider reported failure");
    }
    Optional<String> destination = Dom.attr(response, "Destination");
    if (destination.isEmpty() && responseSig.isPresent()
        || destination.isPresent() && !destination.get().equals(s.acsUrl())) {
      throw new SsoRefusedException(RefusalReason.DESTINATION_MISMATCH, "response is for another endpoint");
    }
    if (!requestId.equals(response.getAttributeNS(null, "InResponseTo"))) {
      throw new SsoRefusedException(RefusalReason.REQUEST_MISMATCH, "response does not answer our request");
    }
    return readAssertion(signedAssertion, requestId, now);
  }

  private VerifiedIdentity readAssertion(Element a, String requestId, Instant now)
      throws SsoRefusedException {
    if (!"2.0".equals(a.getAttributeNS(null, "Version"))) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "assertion is not SAML 2.0");
    }
    String issuer = textOf(a, "Issuer")
        .orElseThrow(() -> new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "assertion has no issuer"));
    if (!issuer.equals(s.idpEntityId())) {
      throw new SsoRefusedException(RefusalReason.ISSUER_MISMATCH, "assertion issuer is not the identity provider");
    }
    Duration skew = s.clockSkew();
    Element conditions = Dom.child(a, Dom.ASSERTION, "Conditions");
    Optional<Instant> notBefore = Dom.instantAttr(conditions, "NotBefore");
    Optional<Instant> notOnOrAfter = Dom.instantAttr(conditions, "NotOnOrAfter");
    if (notBefore.isPresent() && now.plus(skew).isBefore(notBefore.get())) {
      throw new SsoRefusedException(RefusalReason.NOT_YET_VALID, "assertion not yet valid");
    }
    if (notOnOrAfter.isPresent() && !now.minus(skew).isBefore(notOnOrAfter.get())) {
      throw new SsoRefusedException(RefusalReason.EXPIRED, "assertion expired");
    }
    List<Element> restrictions = Dom.children(conditions, Dom.ASSERTION, "AudienceRestriction");
    if (restrictions.isEmpty()) {
      throw new SsoRefusedException(RefusalReason.AUDIENCE_MISMATCH, "assertion has no audience restriction");
    }
    for (Element r : restrictions) {
      boolean ours = false;
      for (Element aud : Dom.children(r, Dom.ASSERTION, "Audience")) {
        ours |= Dom.text(aud).equals(s.spEntityId());
      }
      if (!ours) {
        throw new SsoRefusedException(RefusalReason.AUDIENCE_MISMATCH, "assertion is for another service provider");
      }
    }

    Element subject = Dom.child(a, Dom.ASSERTION, "Subject");
    Element nameId = Dom.child(subject, Dom.ASSERTION, "NameID");
    String subjectValue = Dom.text(nameId);
    if (subjectValue.isEmpty()) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "empty NameID");
    }
    Instant confirmationExpiry = null;
    for (Element sc : Dom.children(subject, Dom.ASSERTION, "SubjectConfirmation")) {
      if (!BEARER.equals(sc.getAttributeNS(null, "Method"))) {
        continue;
      }
      Element data = Dom.child(sc, Dom.ASSERTION, "SubjectConfirmationData");
      if (!s.acsUrl().equals(data.getAttributeNS(null, "Recipient"))) {
        throw new SsoRefusedException(RefusalReason.RECIPIENT_MISMATCH, "bearer confirmation is for another endpoint");
      }
      if (!requestId.equals(data.getAttributeNS(null, "InResponseTo"))) {
        throw new SsoRefusedException(RefusalReason.REQUEST_MISMATCH, "assertion does not answer our request");
      }
      Instant exp = Dom.instantAttr(data, "NotOnOrAfter").orElseThrow(
          () -> new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "bearer confirmation without expiry"));
      if (!now.minus(skew).isBefore(exp)) {
        throw new SsoRefusedException(RefusalReason.EXPIRED, "bearer confirmation expired");
      }
      Optional<Instant> nb = Dom.instantAttr(data, "NotBefore");
      if (nb.isPresent() && now.plus(skew).isBefore(nb.get())) {
        throw new SsoRefusedException(RefusalReason.NOT_YET_VALID, "bearer confirmation not yet valid");
      }
      confirmationExpiry = exp;
      break;
    }
    if (confirmationExpiry == null) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "no bearer subject confirmation");
    }

    List<Element> authnStatements = Dom.children(a, Dom.ASSERTION, "AuthnStatement");
    if (authnStatements.size() != 1) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "expected one authentication statement");
    }
    Element as = authnStatements.get(0);
    Instant authnInstant = Dom.instantAttr(as, "AuthnInstant").orElseThrow(
        () -> new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "no AuthnInstant"));
    Optional<Instant> sessionEnd = Dom.instantAttr(as, "SessionNotOnOrAfter");
    if (sessionEnd.isPresent() && !now.minus(skew).isBefore(sessionEnd.get())) {
      throw new SsoRefusedException(RefusalReason.EXPIRED, "identity provider session expired");
    }
    String context = "";
    Optional<Element> ac = Dom.optionalChild(as, Dom.ASSERTION, "AuthnContext");
    if (ac.isPresent()) {
      Optional<Element> ref = Dom.optionalChild(ac.get(), Dom.ASSERTION, "AuthnContextClassRef");
      if (ref.isPresent()) {
        context = Dom.text(ref.get());
      }
    }

    Map<String, List<String>> attributes = new LinkedHashMap<>();
    for (Element st : Dom.children(a, Dom.ASSERTION, "AttributeStatement")) {
      for (Element at : Dom.children(st, Dom.ASSERTION, "Attribute")) {
        List<String> values = new ArrayList<>();
        for (Element v : Dom.children(at, Dom.ASSERTION, "AttributeValue")) {
          values.add(Dom.text(v));
        }
        attributes.merge(at.getAttributeNS(null, "Name"), values, (x, y) -> {
          List<String> both = new ArrayList<>(x);
          both.addAll(y);
          return both;
        });
      }
    }

    Instant confirmed = confirmationExpiry;
    Instant replayUntil =
        (notOnOrAfter.isPresent() && notOnOrAfter.get().isAfter(confirmed) ? notOnOrAfter.get() : confirmed)
            .plus(skew);
    String assertionId = a.getAttributeNS(null, "ID");
    boolean first;
    try {
      first = s.replayCache().firstUse(s.idpEntityId(), assertionId, replayUntil);
    } catch (RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.STORE_UNAVAILABLE, "replay cache unavailable", e);
    }
    if (!first) {
      throw new SsoRefusedException(RefusalReason.REPLAYED, "assertion already used");
    }
    return new VerifiedIdentity(
        Protocol.SAML2,
        issuer,
        subjectValue,
        attributes,
        context,
        s.assurance().levelFor(context, List.of()),
        authnInstant,
        Dom.attr(as, "SessionIndex").orElse(""));
  }

  private Element decrypt(Element encryptedAssertion) throws SsoRefusedException {
    if (s.decryptionKey().isEmpty()) {
      throw new SsoRefusedException(RefusalReason.DECRYPTION_FAILED, "no decryption key configured");
    }
    Element data = Dom.child(encryptedAssertion, Dom.XENC, "EncryptedData");
    Element method = Dom.child(data, Dom.XENC, "EncryptionMethod");
    if (!DATA_ENCRYPTION.contains(method.getAttributeNS(null, "Algorithm"))) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "content encryption not allowed");
    }
    List<Element> keys = new ArrayList<>();
    collect(encryptedAssertion, Dom.XENC, "EncryptedKey", keys);
    if (keys.size() != 1) {
      throw new SsoRefusedException(RefusalReason.DECRYPTION_FAILED, "expected one encrypted key");
    }
    Element km = Dom.child(keys.get(0), Dom.XENC, "EncryptionMethod");
    if (!KEY_TRANSPORT.contains(km.getAttributeNS(null, "Algorithm"))) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "key transport not allowed");
    }
    try {
      XMLCipher cipher = XMLCipher.getInstance();
      cipher.setSecureValidation(true);
      cipher.init(XMLCipher.DECRYPT_MODE, null);
      cipher.setKEK(s.decryptionKey().get());
      cipher.doFinal(data.getOwnerDocument(), data);
    } catch (Exception e) {
      throw new SsoRefusedException(RefusalReason.DECRYPTION_FAILED, "assertion could not be decrypted");
    }
    List<Element> inside = Dom.elements(encryptedAssertion);
    List<Element> plain = Dom.children(encryptedAssertion, Dom.ASSERTION, "Assertion");
    if (plain.size() != 1) {
      throw new SsoRefusedException(RefusalReason.ASSERTION_COUNT, "encrypted content is not one assertion");
    }
    for (Element e : inside) {
      if (e != plain.get(0) && !Dom.is(e, Dom.XENC, "EncryptedKey")) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "unexpected content in encrypted assertion");
      }
    }
    return plain.get(0);
  }

  private static Optional<String> textOf(Element parent, String local) throws SsoRefusedException {
    Optional<Element> e = Dom.optionalChild(parent, Dom.ASSERTION, local);
    return e.isPresent() ? Optional.of(Dom.text(e.get())) : Optional.empty();
  }

  private static void collect(Element e, String ns, String local, List<Element> out) {
    for (Element c : Dom.elements(e)) {
      if (Dom.is(c, ns, local)) {
        out.add(c);
      }
      collect(c, ns, local, out);
    }
  }
}

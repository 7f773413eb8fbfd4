package dev.bulwark.sso.saml;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.internal.Dom;
import dev.bulwark.sso.spi.ReplayCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * Checks an identity provider's {@code LogoutRequest} after its signature verified (or, for the
 * POST binding, is the element the signature covered): issuer, destination, validity window, name
 * identifier, session indexes, and the replay cache last so a refused request never consumes an ID.
 */
final class LogoutRequestCheck {

  /** The oldest {@code IssueInstant} accepted (plus the clock skew). */
  static final Duration MAX_AGE = Duration.ofMinutes(5);

  record Checked(String id, String subject, List<String> sessionIndexes) {}

  private LogoutRequestCheck() {}

  /** Refuses comments, processing instructions and entity references anywhere in the message. */
  static void shape(Element root) throws SsoRefusedException {
    if (!Dom.is(root, Dom.PROTOCOL, "LogoutRequest")) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not a LogoutRequest");
    }
    Dom.refuseCommentsAndInstructions(root);
    Dom.requireUniqueIds(root, new HashSet<>());
  }

  static Checked check(
      Element r, String idpEntityId, Optional<String> ourEndpoint, Instant now, Duration skew, ReplayCache replay)
      throws SsoRefusedException {
    if (!"2.0".equals(r.getAttributeNS(null, "Version"))) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not SAML 2.0");
    }
    String id = r.getAttributeNS(null, "ID");
    if (id.isEmpty()) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "logout request has no ID");
    }
    Optional<Element> issuer = Dom.optionalChild(r, Dom.ASSERTION, "Issuer");
    if (issuer.isEmpty() || !Dom.text(issuer.get()).equals(idpEntityId)) {
      throw new SsoRefusedException(RefusalReason.ISSUER_MISMATCH, "logout request from another issuer");
    }
    Optional<String> destination = Dom.attr(r, "Destination");
    if (destination.isEmpty() || ourEndpoint.isEmpty() || !destination.get().equals(ourEndpoint.get())) {
      throw new SsoRefusedException(RefusalReason.DESTINATION_MISMATCH, "logout request for another endpoint");
    }
    Instant issued = Dom.instantAttr(r, "IssueInstant")
        .orElseThrow(() -> new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "no IssueInstant"));
    if (now.plus(skew).isBefore(issued)) {
      throw new SsoRefusedException(RefusalReason.NOT_YET_VALID, "logout request issued in the future");
    }
    if (now.minus(skew).minus(MAX_AGE).isAfter(issued)) {
      throw new SsoRefusedException(RefusalReason.EXPIRED, "logout request too old");
    }
    Optional<Instant> notOnOrAfter = Dom.instantAttr(r, "NotOnOrAfter");
    if (notOnOrAfter.isPresent() && !now.minus(skew).isBefore(notOnOrAfter.get())) {
      throw new SsoRefusedException(RefusalReason.EXPIRED, "logout request expired");
    }
    if (!Dom.children(r, Dom.ASSERTION, "EncryptedID").isEmpty()
        || !Dom.children(r, Dom.ASSERTION, "BaseID").isEmpty()) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "only a plain NameID is supported");
    }
    String subject = Dom.text(Dom.child(r, Dom.ASSERTION, "NameID"));
    if (subject.isEmpty()) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "empty NameID");
    }
    List<String> indexes = new ArrayList<>();
    for (Element si : Dom.children(r, Dom.PROTOCOL, "SessionIndex")) {
      String v = Dom.text(si);
      if (v.isEmpty()) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "empty SessionIndex");
      }
      indexes.add(v);
    }
    Instant until = issued.plus(MAX_AGE);
    if (notOnOrAfter.isPresent() && notOnOrAfter.get().isAfter(until)) {
      until = notOnOrAfter.get();
    }
    boolean first;
    try {
      first = replay.firstUse(idpEntityId, id, until.plus(skew));
    } catch (RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.STORE_UNAVAILABLE, "replay cache unavailable", e);
    }
    if (!first) {
      throw new SsoRefusedException(RefusalReason.REPLAYED, "logout request already used");
    }
    return new Checked(id, subject, List.copyOf(indexes));
  }
}

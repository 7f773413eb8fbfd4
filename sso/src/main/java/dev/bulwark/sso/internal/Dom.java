package dev.bulwark.sso.internal;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Navigation by direct children only: claims are never found by searching the document. */
public final class Dom {

  public static final String ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
  public static final String PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
  public static final String METADATA = "urn:oasis:names:tc:SAML:2.0:metadata";
  public static final String DSIG = "http://www.w3.org/2000/09/xmldsig#";
  public static final String XENC = "http://www.w3.org/2001/04/xmlenc#";

  private Dom() {}

  public static boolean is(Node n, String ns, String local) {
    return n instanceof Element && ns.equals(n.getNamespaceURI()) && local.equals(n.getLocalName());
  }

  public static List<Element> children(Element parent, String ns, String local) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (is(n, ns, local)) {
        out.add((Element) n);
      }
    }
    return out;
  }

  public static List<Element> elements(Element parent) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element) {
        out.add((Element) n);
      }
    }
    return out;
  }

  /** The only child of that name, or empty; more than one is refused. */
  public static Optional<Element> optionalChild(Element parent, String ns, String local)
      throws SsoRefusedException {
    List<Element> c = children(parent, ns, local);
    if (c.size() > 1) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "more than one " + local);
    }
    return c.isEmpty() ? Optional.empty() : Optional.of(c.get(0));
  }

  public static Element child(Element parent, String ns, String local) throws SsoRefusedException {
    return optionalChild(parent, ns, local)
        .orElseThrow(() -> new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "no " + local));
  }

  /**
   * The element's text, which must consist of text nodes only: a comment or child element inside a
   * value is refused (the NameID comment-injection attack relies on readers that stop at the first
   * text node).
   */
  public static String text(Element e) throws SsoRefusedException {
    StringBuilder sb = new StringBuilder();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
        sb.append(n.getNodeValue());
      } else {
        throw new SsoRefusedException(
            RefusalReason.UNEXPECTED_CONTENT, e.getLocalName() + " has non-text content");
      }
    }
    return sb.toString().strip();
  }

  /** An attribute value, or empty when the attribute is absent. */
  public static Optional<String> attr(Element e, String name) {
    return e.hasAttributeNS(null, name) ? Optional.of(e.getAttributeNS(null, name)) : Optional.empty();
  }

  /** The UTC date-time in attribute {@code name}, if present; a malformed one is refused. */
  public static Optional<Instant> instantAttr(Element e, String name) throws SsoRefusedException {
    Optional<String> v = Dom.attr(e, name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(v.get()));
    } catch (DateTimeParseException ex) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, name + " is not a UTC date-time");
    }
  }

  /** Refuses comments, processing instructions and entity references anywhere under {@code n}. */
  public static void refuseCommentsAndInstructions(Node n) throws SsoRefusedException {
    for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      short t = c.getNodeType();
      if (t == Node.COMMENT_NODE || t == Node.PROCESSING_INSTRUCTION_NODE || t == Node.ENTITY_REFERENCE_NODE) {
        throw new SsoRefusedException(RefusalReason.UNEXPECTED_CONTENT, "comment or processing instruction in message");
      }
      if (t == Node.ELEMENT_NODE) {
        refuseCommentsAndInstructions(c);
      }
    }
  }

  /** Refuses two elements under {@code e} with the same {@code ID} attribute. */
  public static void requireUniqueIds(Element e, Set<String> seen) throws SsoRefusedException {
    if (e.hasAttributeNS(null, "ID") && !seen.add(e.getAttributeNS(null, "ID"))) {
      throw new SsoRefusedException(RefusalReason.DUPLICATE_ID, "two elements share an ID");
    }
    for (Element c : Dom.elements(e)) {
      requireUniqueIds(c, seen);
    }
  }
}

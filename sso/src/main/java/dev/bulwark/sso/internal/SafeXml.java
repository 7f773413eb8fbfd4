package dev.bulwark.sso.internal;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The JDK's DOM parser, hardened: a document type declaration is an error (so no DTD, no internal
 * or external entities, no billion laughs), no external access of any kind, no XInclude, secure
 * processing limits on. Comments are kept so that callers can refuse them. The size limit is
 * checked before a byte is parsed.
 */
public final class SafeXml {

  private static final DocumentBuilderFactory FACTORY = newFactory();

  private static final ThreadLocal<DocumentBuilder> BUILDER =
      ThreadLocal.withInitial(
          () -> {
            try {
              synchronized (FACTORY) {
                return FACTORY.newDocumentBuilder();
              }
            } catch (ParserConfigurationException e) {
              throw new IllegalStateException("XML parser cannot be hardened", e);
            }
          });

  private static final ErrorHandler STRICT =
      new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      };

  private SafeXml() {}

  private static DocumentBuilderFactory newFactory() {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    try {
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setIgnoringComments(false);
      f.setCoalescing(false);
      f.setValidating(false);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("XML parser cannot be hardened", e);
    }
    return f;
  }

  /**
   * Parses {@code xml}, refusing documents over {@code maxBytes} before parsing and any document
   * type declaration.
   */
  public static Document parse(byte[] xml, int maxBytes) throws SsoRefusedException {
    if (xml.length > maxBytes) {
      throw new SsoRefusedException(RefusalReason.TOO_LARGE, "message exceeds " + maxBytes + " bytes");
    }
    DocumentBuilder b = BUILDER.get();
    b.reset();
    b.setErrorHandler(STRICT);
    b.setEntityResolver(
        (publicId, systemId) -> {
          throw new SAXException("external entity refused");
        });
    try {
      return b.parse(new ByteArrayInputStream(xml));
    } catch (SAXException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("DOCTYPE") || m.contains("doctype") || m.contains("entity")) {
        throw new SsoRefusedException(RefusalReason.DTD_FORBIDDEN, "document type declarations are refused");
      }
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not well-formed XML");
    } catch (IOException | RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not well-formed XML");
    }
  }
}

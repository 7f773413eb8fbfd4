package dev.bulwark.sso.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SafeXmlTest {

  static RefusalReason refusal(String xml, int max) {
    return assertThrows(SsoRefusedException.class,
        () -> SafeXml.parse(xml.getBytes(StandardCharsets.UTF_8), max)).reason();
  }

  @Test
  void internalEntity_isRefused() {
    assertEquals(RefusalReason.DTD_FORBIDDEN,
        refusal("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", 1000));
  }

  @Test
  void externalEntity_isRefused_withoutFetching() {
    assertEquals(RefusalReason.DTD_FORBIDDEN,
        refusal("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>", 1000));
  }

  @Test
  void oversized_isRefusedBeforeParsing() {
    // Not well-formed on purpose: a parse would say MALFORMED, the limit says TOO_LARGE.
    assertEquals(RefusalReason.TOO_LARGE, refusal("<a>" + "x".repeat(2000), 1000));
  }

  @Test
  void garbage_isMalformed() {
    assertEquals(RefusalReason.MALFORMED, refusal("<a><b></a>", 1000));
    assertEquals(RefusalReason.MALFORMED, refusal("", 1000));
  }

  @Test
  void wellFormed_parses_andKeepsComments() throws SsoRefusedException {
    var d = SafeXml.parse("<a><!--c--><b/></a>".getBytes(StandardCharsets.UTF_8), 1000);
    assertEquals(org.w3c.dom.Node.COMMENT_NODE, d.getDocumentElement().getFirstChild().getNodeType());
  }
}

package dev.bulwark.sso.saml;

import java.net.URI;
import java.util.Objects;

/**
 * A message sent with the HTTP-POST binding: render an auto-submitting form that posts {@code
 * SAMLRequest} (and {@code RelayState} when not empty) to {@link #action()}, and remember {@link
 * #request()}.
 *
 * @param samlRequest the base64 of the (signed, when configured) request XML
 */
public record SamlPostForm(URI action, String samlRequest, String relayState, SentRequest request) {
  public SamlPostForm {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(samlRequest, "samlRequest");
    Objects.requireNonNull(relayState, "relayState");
    Objects.requireNonNull(request, "request");
  }

  /** A minimal auto-submitting HTML page for this form (values HTML-escaped). */
  public String html() {
    return "<!DOCTYPE html><html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\""
        + escape(action.toString())
        + "\"><input type=\"hidden\" name=\"SAMLRequest\" value=\""
        + escape(samlRequest)
        + "\"/>"
        + (relayState.isEmpty()
            ? ""
            : "<input type=\"hidden\" name=\"RelayState\" value=\"" + escape(relayState) + "\"/>")
        + "<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>";
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}

package dev.bulwark.sso.saml;

import java.net.URI;
import java.util.Objects;

/**
 * A message sent with the HTTP-Redirect binding: send the browser a 302 to {@link #location()} and
 * remember {@link #request()}.
 */
public record SamlRedirect(URI location, SentRequest request) {
  public SamlRedirect {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(request, "request");
  }
}

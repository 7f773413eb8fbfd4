package dev.bulwark.spring.sso;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity providers this application offers, in configuration order, and the external base
 * URL its SSO endpoints are published under. A login page lists {@link #all()} as "Sign in with
 * ..." buttons. Immutable.
 */
public final class SsoRegistrations {

  private final URI baseUrl;
  private final Map<String, SsoRegistration> byId = new LinkedHashMap<>();

  /**
   * @param baseUrl the application's external URL (scheme, host, port and context path), e.g.
   *     {@code https://notes.example.com}; the identity providers send the browser back to
   *     endpoints under it, so it is configured, never taken from a request's {@code Host} header
   */
  public SsoRegistrations(URI baseUrl, List<SsoRegistration> registrations) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!baseUrl.isAbsolute() || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null
        || !("https".equals(baseUrl.getScheme()) || "http".equals(baseUrl.getScheme()))) {
      throw new IllegalArgumentException("the base URL must be an absolute http(s) URL without query or fragment");
    }
    String s = baseUrl.toString();
    this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    for (SsoRegistration r : registrations) {
      if (byId.putIfAbsent(r.id(), r) != null) {
        throw new IllegalArgumentException("two registrations are named " + r.id());
      }
    }
  }

  public List<SsoRegistration> all() {
    return List.copyOf(byId.values());
  }

  public Optional<SsoRegistration> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The external base URL, without a trailing slash. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** True when the base URL is HTTPS: the SSO cookies are then {@code Secure} and {@code SameSite=None}. */
  public boolean secure() {
    return "https".equals(baseUrl.getScheme());
  }

  /** The absolute URL of {@code /sso/<id>/<endpoint>}. */
  public URI endpoint(String id, String endpoint) {
    return URI.create(baseUrl + "/sso/" + SsoRegistration.checkId(id) + "/" + endpoint);
  }

  /** The SAML assertion consumer service of registration {@code id}. */
  public URI assertionConsumerService(String id) {
    return endpoint(id, "acs");
  }

  /** The SAML single logout service of registration {@code id}. */
  public URI singleLogoutService(String id) {
    return endpoint(id, "slo");
  }

  /** The default SAML entity ID of registration {@code id}: its metadata URL. */
  public URI metadataUrl(String id) {
    return endpoint(id, "metadata");
  }

  /** The OIDC redirect URI of registration {@code id}. */
  public URI callback(String id) {
    return endpoint(id, "callback");
  }

  /** The OIDC post-logout redirect URI of registration {@code id}. */
  public URI loggedOut(String id) {
    return endpoint(id, "logged-out");
  }
}

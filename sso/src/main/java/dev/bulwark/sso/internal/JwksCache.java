package dev.bulwark.sso.internal;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The provider's signing keys. A token whose {@code kid} is unknown triggers one refresh, at most
 * once per {@code minRefreshInterval} across all callers (a flood of tokens with random key IDs
 * cannot make us hammer the provider). Thread-safe.
 */
public final class JwksCache {
  private final URI uri;
  private final Clock clock;
  private final Duration minRefreshInterval;
  private final Duration timeout;
  private JWKSet keys = new JWKSet();
  private Instant lastFetch = Instant.MIN;
  private int fetches;

  public JwksCache(URI uri, Clock clock, Duration minRefreshInterval, Duration timeout) {
    this.uri = uri;
    this.clock = clock;
    this.minRefreshInterval = minRefreshInterval;
    this.timeout = timeout;
  }

  /** The key with this ID, refreshing once (rate-limited) when it is unknown. */
  public synchronized Optional<JWK> key(String kid) throws IOException {
    JWK k = kid == null ? null : keys.getKeyByKeyId(kid);
    if (k != null) {
      return Optional.of(k);
    }
    Instant now = clock.instant();
    if (lastFetch.equals(Instant.MIN) || !now.isBefore(lastFetch.plus(minRefreshInterval))) {
      lastFetch = now;
      fetch();
    }
    if (kid == null) {
      return keys.getKeys().size() == 1 ? Optional.of(keys.getKeys().get(0)) : Optional.empty();
    }
    return Optional.ofNullable(keys.getKeyByKeyId(kid));
  }

  /** How many times the key set was fetched (for tests and metrics). */
  public synchronized int fetches() {
    return fetches;
  }

  private void fetch() throws IOException {
    fetches++;
    HTTPRequest req = new HTTPRequest(HTTPRequest.Method.GET, uri);
    req.setConnectTimeout((int) timeout.toMillis());
    req.setReadTimeout((int) timeout.toMillis());
    HTTPResponse resp = req.send(BoundedSender.INSTANCE);
    if (resp.getStatusCode() != 200) {
      throw new IOException("JWKS answered HTTP " + resp.getStatusCode());
    }
    try {
      keys = JWKSet.parse(resp.getBody());
    } catch (java.text.ParseException e) {
      throw new IOException("JWKS is not valid", e);
    }
  }
}

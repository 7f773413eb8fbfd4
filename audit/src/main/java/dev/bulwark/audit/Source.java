package dev.bulwark.audit;

import dev.bulwark.audit.internal.Text;

/**
 * Where the request came from and which application recorded it. Every field may be null.
 *
 * @param ip client address as text (IPv4/IPv6); sanitised, at most 64 chars
 * @param userAgent client user agent; sanitised, at most 512 chars
 * @param host host name of the node that handled the request; at most 256 chars
 * @param app application id and version, e.g. {@code billing/4.2.1}; at most 128 chars
 */
public record Source(String ip, String userAgent, String host, String app) {

  public static final Source NONE = new Source(null, null, null, null);

  public Source {
    ip = Text.clean(ip, 64);
    userAgent = Text.clean(userAgent, 512);
    host = Text.clean(host, 256);
    app = Text.clean(app, 128);
  }
}

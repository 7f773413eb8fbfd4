package dev.bulwark.sso.internal;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Sends the relying party's requests to the provider (discovery, key set, token, userinfo) and
 * reads at most {@value #MAX_BODY_BYTES} bytes of any answer, one byte past that refused with an
 * {@link IOException}: a hostile or broken provider cannot fill the heap by answering without end.
 * Redirects are not followed. Timeouts are the request's own (connect and read).
 */
public final class BoundedSender implements HTTPRequestSender {

  /** Far above any discovery document, key set, token or userinfo answer. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  public static final BoundedSender INSTANCE = new BoundedSender(MAX_BODY_BYTES);

  private final int maxBodyBytes;

  BoundedSender(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    URLConnection uc = request.getURL().openConnection();
    if (!(uc instanceof HttpURLConnection c)) {
      throw new IOException("not an HTTP URL: " + request.getURL().getProtocol());
    }
    try {
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(request.getConnectTimeout());
      c.setReadTimeout(request.getReadTimeout());
      c.setRequestMethod(request.getMethod().name());
      for (Map.Entry<String, List<String>> h : request.getHeaderMap().entrySet()) {
        for (String v : h.getValue()) {
          c.addRequestProperty(h.getKey(), v);
        }
      }
      String body = request.getBody();
      if (body != null && !body.isEmpty()) {
        c.setDoOutput(true);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        c.setFixedLengthStreamingMode(b.length);
        try (OutputStream out = c.getOutputStream()) {
          out.write(b);
        }
      }
      int status = c.getResponseCode();
      byte[] answer;
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        answer = in == null ? new byte[0] : in.readNBytes(maxBodyBytes + 1);
      }
      if (answer.length > maxBodyBytes) {
        throw new IOException(request.getURI().getHost() + " answered more than " + maxBodyBytes + " bytes");
      }
      HTTPResponse r = new HTTPResponse(status);
      r.setStatusMessage(c.getResponseMessage());
      for (Map.Entry<String, List<String>> h : c.getHeaderFields().entrySet()) {
        if (h.getKey() != null && !h.getValue().isEmpty()) {
          r.setHeader(h.getKey(), h.getValue().toArray(new String[0]));
        }
      }
      String contentType = c.getContentType();
      if (contentType != null) {
        try {
          r.setContentType(contentType);
        } catch (ParseException e) {
          throw new IOException("unparsable Content-Type from " + request.getURI().getHost(), e);
        }
      }
      if (answer.length > 0) {
        r.setBody(new String(answer, StandardCharsets.UTF_8));
      }
      return r;
    } finally {
      c.disconnect();
    }
  }
}

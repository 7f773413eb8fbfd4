package dev.bulwark.samples.notes;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The application port answers only for {@code localhost:PORT} (the port the request arrived on):
 * a GET for {@code 127.0.0.1:PORT} is redirected there (passkeys are bound to the name
 * {@code localhost}), any other {@code Host} gets 421, which stops DNS rebinding. A POST whose
 * {@code Origin} header names another origin is refused (403) before anything reads it; Spring
 * Security's CSRF token check comes on top. The one exception: the identity provider's POSTs to
 * {@code /sso/<id>/acs} and {@code /sso/<id>/slo} ("Sign in with SSO"), which the starter checks
 * itself. Runs before every other filter.
 */
final class HostCheckFilter extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    int port = request.getLocalPort();
    String origin = "http://localhost:" + port;
    String host = request.getHeader("Host");
    if (!("localhost:" + port).equals(host)) {
      if (("127.0.0.1:" + port).equals(host) && "GET".equals(request.getMethod())) {
        String path = request.getRequestURI();
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", origin + (path.startsWith("/") ? path : "/"));
        return;
      }
      plain(response, 421, "This server answers only for " + origin + "/\n");
      return;
    }
    String sentOrigin = request.getHeader("Origin");
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod()) && sentOrigin != null
        && !sentOrigin.equals(origin) && !identityProviderPost(request)) {
      plain(response, 403, "Cross-origin request refused.\n");
      return;
    }
    chain.doFilter(request, response);
  }

  /**
   * The identity provider's page posts the SAML response (and SAML logout messages) to
   * {@code /sso/<id>/acs} and {@code /sso/<id>/slo} from its own origin: the starter accepts them
   * only when signed by the pinned IdP key and matching the sealed sign-in state cookie.
   */
  static boolean identityProviderPost(HttpServletRequest request) {
    return "POST".equals(request.getMethod()) && SSO_POST.matcher(request.getRequestURI()).matches();
  }

  private static final java.util.regex.Pattern SSO_POST = java.util.regex.Pattern.compile("/sso/[A-Za-z0-9_-]{1,64}/(acs|slo)");

  private static void plain(HttpServletResponse response, int status, String text) throws IOException {
    response.setStatus(status);
    response.setContentType("text/plain;charset=UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
  }
}

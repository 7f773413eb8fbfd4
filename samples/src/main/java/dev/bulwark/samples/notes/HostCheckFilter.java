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
 * Security's CSRF token check comes on top. Runs before every other filter.
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
        && !sentOrigin.equals(origin)) {
      plain(response, 403, "Cross-origin request refused.\n");
      return;
    }
    chain.doFilter(request, response);
  }

  private static void plain(HttpServletResponse response, int status, String text) throws IOException {
    response.setStatus(status);
    response.setContentType("text/plain;charset=UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
  }
}

package dev.bulwark.spring.sso.it;

import dev.bulwark.spring.security.BulwarkAuthentication;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import dev.bulwark.spring.sso.SsoAccount;
import dev.bulwark.spring.sso.SsoAccountMapper;
import dev.bulwark.spring.sso.SsoRegistration;
import dev.bulwark.spring.sso.SsoRegistrations;
import dev.bulwark.sso.VerifiedIdentity;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.HtmlUtils;

/**
 * A small application that offers "Sign in with SSO" only through the starter: its own code is
 * a login page listing {@link SsoRegistrations}, a protected page, an {@link SsoAccountMapper}
 * (first sign-in creates a local account linked to issuer + subject) and, for the tests, a
 * man-in-the-middle filter that can alter the identity provider's POSTed response in flight.
 */
@SpringBootApplication
public class SsoTestApp {

  /** Bulwark sessions as the session mechanism: the token in a cookie, no HTTP session. */
  @Bean
  SecurityFilterChain chain(HttpSecurity http, BulwarkSecurityContextRepository sessions) throws Exception {
    http.securityContext(c -> c.securityContextRepository(sessions))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .authorizeHttpRequests(a -> a.requestMatchers("/login", "/error").permitAll().anyRequest().authenticated())
        .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/login")));
    return http.build();
  }

  /** Links (issuer, subject) to a local account, creating one at the first sign-in. */
  static final class Accounts implements SsoAccountMapper {
    final Map<String, String> links = new ConcurrentHashMap<>();
    final Map<String, String> emails = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Optional<SsoAccount> map(String registrationId, VerifiedIdentity identity) {
      String account = links.computeIfAbsent(identity.issuer() + "\n" + identity.subject(),
          k -> "acct-" + next.incrementAndGet());
      identity.attribute("email").ifPresent(e -> emails.put(account, e));
      return Optional.of(new SsoAccount(account, Set.of("user")));
    }

    @Override
    public Optional<String> linkedAccount(String registrationId, String issuer, String subject) {
      return Optional.ofNullable(links.get(issuer + "\n" + subject));
    }
  }

  @Bean
  Accounts accounts() {
    return new Accounts();
  }

  /** Captures (and, when asked, alters) what the browser posts to the SAML assertion consumer service. */
  static final class InFlight extends OncePerRequestFilter {
    volatile boolean tamper;
    volatile String lastResponse;
    volatile String lastCookies;

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
        throws ServletException, IOException {
      if (!"POST".equals(req.getMethod()) || !req.getRequestURI().endsWith("/acs")) {
        chain.doFilter(req, resp);
        return;
      }
      String original = req.getParameter("SAMLResponse");
      lastResponse = original;
      lastCookies = req.getHeader("Cookie");
      if (!tamper || original == null) {
        chain.doFilter(req, resp);
        return;
      }
      String xml = new String(Base64.getMimeDecoder().decode(original), StandardCharsets.UTF_8);
      String altered = Base64.getEncoder().encodeToString(
          xml.replace("alice@example.com", "admin@example.com").getBytes(StandardCharsets.UTF_8));
      chain.doFilter(new HttpServletRequestWrapper(req) {
        @Override
        public String getParameter(String name) {
          return "SAMLResponse".equals(name) ? altered : super.getParameter(name);
        }
      }, resp);
    }
  }

  @Bean
  InFlight inFlight() {
    return new InFlight();
  }

  @Bean
  FilterRegistrationBean<InFlight> inFlightRegistration(InFlight f) {
    FilterRegistrationBean<InFlight> r = new FilterRegistrationBean<>(f);
    r.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return r;
  }

  @RestController
  static class Pages {
    private final SsoRegistrations registrations;
    private final Accounts accounts;

    Pages(SsoRegistrations registrations, Accounts accounts) {
      this.registrations = registrations;
      this.accounts = accounts;
    }

    @GetMapping(value = "/login", produces = "text/html")
    String login() {
      StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><body><h1>Sign in</h1><ul>");
      for (SsoRegistration r : registrations.all()) {
        sb.append("<li><a id=\"sso-").append(r.id()).append("\" href=\"").append(r.loginPath())
            .append("?target=/me\">").append(HtmlUtils.htmlEscape(r.label())).append("</a></li>");
      }
      return sb.append("</ul></body></html>").toString();
    }

    @GetMapping(value = "/me", produces = "text/html")
    String me(Authentication auth, HttpServletRequest req) {
      BulwarkAuthentication b = (BulwarkAuthentication) auth;
      String via = String.join(",", b.factors().keySet().stream().map(Enum::name).sorted().toList());
      CsrfToken csrf = (CsrfToken) req.getAttribute(CsrfToken.class.getName());
      return "<!DOCTYPE html><html><body><h1>Signed in</h1>"
          + "<p>Account <span id=\"account\">" + HtmlUtils.htmlEscape(b.getName()) + "</span>"
          + " (<span id=\"email\">" + HtmlUtils.htmlEscape(accounts.emails.getOrDefault(b.getName(), "")) + "</span>)"
          + " at <span id=\"level\">" + b.assuranceLevel() + "</span> with <span id=\"factors\">" + via + "</span>"
          + " roles <span id=\"roles\">" + b.getAuthorities() + "</span></p>"
          + "<form method=\"post\" action=\"/sso/logout\"><input type=\"hidden\" name=\"" + csrf.getParameterName()
          + "\" value=\"" + csrf.getToken() + "\"><button id=\"logout\" type=\"submit\">Sign out</button></form>"
          + "</body></html>";
    }
  }
}

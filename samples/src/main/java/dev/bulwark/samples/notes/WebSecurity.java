package dev.bulwark.samples.notes;

import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.ratelimit.RateLimitHeaders;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import dev.bulwark.spring.security.BulwarkWebAuthnConfigurer;
import dev.bulwark.spring.security.BulwarkWebAuthnEndpoints;
import dev.bulwark.spring.security.RateLimitFilter;
import dev.bulwark.spring.security.RetryAfter;
import dev.bulwark.spring.security.SecondFactorDetails;
import dev.bulwark.spring.sso.SsoRegistrations;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Spring Security for the app port: Bulwark sessions as the security context (the starter's
 * {@link BulwarkSecurityContextRepository}: the session token in the {@code __Host-bulwark-session}
 * cookie, no HttpSession), form login through {@link PasswordSignIn} and the starter's provider,
 * the starter's WebAuthn endpoints under {@code /bulwark/webauthn}, CSRF tokens in a
 * {@code bulwark_csrf} cookie ({@code HttpOnly; SameSite=Strict}) echoed in a form field
 * {@code csrf} or an {@code X-CSRF-Token} header, a strict Content-Security-Policy, the admin pages
 * behind role and passkey step-up. The management port (Actuator) has a chain of its own.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurity {

  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /** Known pages: a signed-out GET of one of them goes to the sign-in page, anything else is 404. */
  static final List<String> PAGES = List.of("/notes", "/account", "/admin", "/enroll/totp", "/enroll/passkey", "/stepup",
      "/reauth");

  /** The admin pages need a passkey step-up: the handler sends the browser to {@code /stepup}. */
  static final class StepUpToAdmin extends AuthorizationDecision {
    private static final long serialVersionUID = 1L;

    StepUpToAdmin() {
      super(false);
    }
  }

  @Bean
  FilterRegistrationBean<HostCheckFilter> notesHostCheck() {
    FilterRegistrationBean<HostCheckFilter> r = new FilterRegistrationBean<>(new HostCheckFilter());
    r.setOrder(Ordered.HIGHEST_PRECEDENCE);
    r.addUrlPatterns("/*");
    return r;
  }

  /** The starter's request limit runs right after the host check, before Spring Security. */
  @Bean
  FilterRegistrationBean<RateLimitFilter> notesRateLimitOrder(RateLimitFilter filter) {
    FilterRegistrationBean<RateLimitFilter> r = new FilterRegistrationBean<>(filter);
    r.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    r.addUrlPatterns("/*");
    return r;
  }

  @Bean
  SignedIn.Resolver notesSignedIn(BulwarkSecurityContextRepository repository, NotesService service) {
    return new SignedIn.Resolver(repository, service);
  }

  /** Actuator, on the management port only (127.0.0.1): health and metrics, read-only. */
  @Bean
  @Order(1)
  SecurityFilterChain notesManagementChain(HttpSecurity http) throws Exception {
    http.securityMatcher(EndpointRequest.toAnyEndpoint())
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .csrf(c -> c.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(c -> c.disable());
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain notesChain(HttpSecurity http, NotesService service, BulwarkSecurityContextRepository sessions,
      SignedIn.Resolver signedIn, PasswordSignIn signIn, ObjectProvider<SsoRegistrations> sso) throws Exception {
    CookieCsrfTokenRepository csrf = new CookieCsrfTokenRepository();
    csrf.setCookieName("bulwark_csrf");
    csrf.setParameterName("csrf");
    csrf.setHeaderName("X-CSRF-Token");
    csrf.setCookieCustomizer(c -> c.sameSite("Strict").path("/"));
    AuthorizationManager<RequestAuthorizationContext> admin = (authentication, ctx) -> {
      Optional<SignedIn> s = signedIn.of(ctx.getRequest());
      if (s.isEmpty()) {
        return new AuthorizationDecision(false);
      }
      switch (service.adminAccess(s.get().session(), s.get().user())) {
        case ALLOWED:
          return new AuthorizationDecision(true);
        case STEP_UP:
          return new StepUpToAdmin();
        default:
          return new AuthorizationDecision(false);
      }
    };
    http.securityContext(c -> c.securityContextRepository(sessions))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(c -> c.disable())
        .csrf(c -> c.csrfTokenRepository(csrf))
        .headers(h -> h.contentSecurityPolicy(p -> p.policyDirectives(CSP))
            // no-referrer would make Chrome send "Origin: null" on form posts
            .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN))
            .frameOptions(f -> f.deny()))
        .authorizeHttpRequests(a -> a
            .dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.FORWARD).permitAll()
            .requestMatchers(HttpMethod.GET, "/", "/static/**", "/favicon.ico", "/register", "/login").permitAll()
            .requestMatchers(HttpMethod.POST, "/register", "/login", "/logout").permitAll()
            .requestMatchers("/admin", "/admin/**").access(admin)
            .anyRequest().authenticated())
        .authenticationManager(new ProviderManager(signIn))
        .formLogin(f -> f.loginPage("/login").loginProcessingUrl("/login")
            .authenticationDetailsSource(r -> new SecondFactorDetails(r.getRemoteAddr(),
                PasswordSignIn.normalizeCode(r.getParameter("code")), null))
            // The starter's repository has written the new session's cookie by now.
            .successHandler((request, response, authentication) -> seeOther(response, "/notes"))
            .failureHandler((request, response, e) -> {
              UserError error = e instanceof PasswordSignIn.Refused r ? r.error()
                  : new UserError("Wrong username, password or code.");
              int status = 400;
              if (error instanceof RateLimited limited) {
                RateLimitHeaders headers = limited.headers();
                headers.forEach(response::setHeader);
                status = limited.status();
              } else if (error instanceof PasswordSignIn.Locked locked) {
                RetryAfter.headerValue(locked.retryAfter()).ifPresent(v -> response.setHeader("Retry-After", v));
              }
              String username = Optional.ofNullable(request.getParameter("username")).orElse("").trim();
              SsoRegistrations registrations = sso.getIfAvailable();
              write(response, Pages.login(ctx(request, Optional.empty()), Optional.of(error.getMessage()), username,
                  status, registrations == null ? List.of() : registrations.all()));
            }))
        .logout(l -> l.logoutUrl("/logout")
            .addLogoutHandler(sessions)
            .logoutSuccessHandler((request, response, authentication) -> seeOther(response, "/login?m=signedout")))
        // WebAuthn registration, sign-in and step-up: the starter's JSON endpoints, after the CSRF check.
        .with(BulwarkWebAuthnConfigurer.webAuthn(), Customizer.withDefaults())
        .exceptionHandling(e -> e
            .authenticationEntryPoint((request, response, ex) -> {
              String path = request.getRequestURI();
              if ("GET".equals(request.getMethod()) && PAGES.contains(path)) {
                sessions.logout(request, response, null);
                seeOther(response, "/login?m=signin");
              } else {
                write(response, ErrorPages.notFound(ctx(request, Optional.empty())));
              }
            })
            .accessDeniedHandler((request, response, ex) -> {
              if (ex instanceof CsrfException) {
                if (request.getRequestURI().startsWith(BulwarkWebAuthnEndpoints.DEFAULT_BASE_PATH + "/")) {
                  json(response, 403, "{\"error\":\"csrf_token_invalid\"}");
                } else {
                  write(response, ErrorPages.expiredForm(ctx(request, Optional.empty())));
                }
              } else if (ex instanceof AuthorizationDeniedException d
                  && d.getAuthorizationResult() instanceof StepUpToAdmin) {
                seeOther(response, "/stepup");
              } else {
                write(response, ErrorPages.forbidden(ctx(request, signedIn.of(request).map(SignedIn::user))));
              }
            }));
    return http.build();
  }

  /** The page context of a request answered outside a controller. */
  static Pages.Ctx ctx(HttpServletRequest request, Optional<AppStore.User> user) {
    CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
    String csrf = "";
    try {
      csrf = token == null ? "" : token.getToken();
    } catch (RuntimeException e) {
      csrf = "";
    }
    return new Pages.Ctx(csrf, Optional.empty(), user);
  }

  static void seeOther(HttpServletResponse response, String location) {
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", location);
  }

  static void write(HttpServletResponse response, ResponseEntity<String> page) throws IOException {
    response.setStatus(page.getStatusCode().value());
    response.setContentType("text/html;charset=UTF-8");
    byte[] body = page.getBody() == null ? new byte[0] : page.getBody().getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  static void json(HttpServletResponse response, int status, String body) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json;charset=UTF-8");
    response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
